"""The template door: the master workbook built from code (sheets, guide text, school-year defaults)."""
