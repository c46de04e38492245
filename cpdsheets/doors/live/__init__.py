"""The live-Excel door: a workbook open in Excel (desktop) or sent by an xlwings client
(remote), read into the neutral models and written back with few Excel calls."""
