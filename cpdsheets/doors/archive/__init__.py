"""The archive door: each teacher's printed record, written with xlsxwriter and optionally turned into PDF."""
