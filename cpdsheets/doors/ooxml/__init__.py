"""The OOXML door: the zip package, its parts and XML, the tab writer and the cell marks, all without Excel."""
