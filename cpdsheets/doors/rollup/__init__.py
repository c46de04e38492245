"""The roll-up door: one summary per school file, and the district workbook built from them."""
