Attribute VB_Name = "CpdSheets"
' The buttons of the control sheet call these Subs; all logic lives in Python (cpdsheets.excel).
Option Explicit

Public Sub Validate()
    RunPython "import cpdsheets.excel; cpdsheets.excel.validate()"
End Sub

Public Sub Recalculate()
    RunPython "import cpdsheets.excel; cpdsheets.excel.recalc()"
End Sub

Public Sub ClearMarks()
    RunPython "import cpdsheets.excel; cpdsheets.excel.clear_marks()"
End Sub

Public Sub Archive()
    RunPython "import cpdsheets.excel; cpdsheets.excel.archive()"
End Sub
