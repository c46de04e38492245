Attribute VB_Name = "CpdSheets"
' The buttons of the control sheet call these Subs. Each click decides where the work runs:
'  - the control sheet has a server address and a school token (labels in column B, values in
'    column C): on the district service, through xlwings' RunServerPython (Remote.bas), which sends
'    the sheets the job reads and runs the actions the service answers with (Remote.bas's own and
'    CpdActions' Subs);
'  - otherwise, or when the service does not answer: in local Python (RunPython, cpdsheets.excel).
' The VBA source stays ASCII: Chinese text is written as Unicode code points and built with ChrW,
' so it reads the same whatever code page the PC uses.
Option Explicit

Private Const SEND_TIMEOUT_MS As Long = 180000  ' a 20,000-row book: upload, job, answer
Private Const PING_TIMEOUT_MS As Long = 5000    ' a service that answers at all answers a ping at once
Private Const RECORD_SHEET As String = "cpdsheets.marks"
Private Const MERGES_SHEET As String = "cpdsheets.merges"  ' the merged areas sent with the book (WriteMerges)
Private Const SCAN_RUN As Long = 32  ' rows of a column looked at cell by cell once a bisection gets there
Private Const CONFIG_SHEET As String = "xlwings.conf"
' the control sheet
Private Const CONSOLE_ZH As String = "63A7 5236 53F0"
' the guide sheet
Private Const GUIDE_ZH As String = "8BF4 660E"
' the roster tab of a Chinese book (an English book has "Teachers"): the tabs say the book's language
Private Const ROSTER_ZH As String = "6559 5E08 540D 518C"
' label: server address
Private Const SERVER_ZH As String = "670D 52A1 5668 5730 5740"
' label: school token
Private Const TOKEN_ZH As String = "5B66 6821 4EE4 724C"
' message box title
Private Const TITLE_ZH As String = "6821 672C 57F9 8BAD 5B66 5206"
' cannot reach the district service (
Private Const UNREACHABLE_ZH_1 As String = "8FDE 4E0D 4E0A 533A 91CC 7684 6821 672C 57F9 8BAD 670D 52A1 FF08"
' ), running in local Python instead; without Python, open that address in a browser and upload the book.
Private Const UNREACHABLE_ZH_2 As String = "FF09 FF0C 6539 7528 672C 673A 0020 0050 0079 0074 0068 006F 006E 0020 8FD0 884C FF1B 672C 673A 6CA1 6709 0020 0050 0079 0074 0068 006F 006E 0020 65F6 FF0C 8BF7 7528 6D4F 89C8 5668 6253 5F00 8BE5 7F51 5740 4E0A 4F20 603B 8868 3002"

Public Sub Validate()
    RunJob "validate", "import cpdsheets.excel; cpdsheets.excel.validate()"
End Sub

Public Sub Recalculate()
    RunJob "recalc", "import cpdsheets.excel; cpdsheets.excel.recalc()"
End Sub

Public Sub ClearMarks()
    RunJob "clear-marks", "import cpdsheets.excel; cpdsheets.excel.clear_marks()"
End Sub

Public Sub Archive()
    RunJob "archive", "import cpdsheets.excel; cpdsheets.excel.archive()"
End Sub

' The one place that decides, per click, where the job runs.
Private Sub RunJob(job As String, localCall As String)
    Dim url As String, token As String, include As String
    Dim merges As Worksheet
    Dim errNumber As Long, errSource As String, errText As String
    url = ConsoleSetting(Zh(SERVER_ZH), "Server address")
    token = ConsoleSetting(Zh(TOKEN_ZH), "School token")
    If url = "" Or token = "" Then
        RunPython localCall
        Exit Sub
    End If
    If Right$(url, 1) = "/" Then url = Left$(url, Len(url) - 1)
    If Not ServiceAnswers(url) Then
        MsgBox Zh(UNREACHABLE_ZH_1) & url & Zh(UNREACHABLE_ZH_2), vbExclamation, Zh(TITLE_ZH)
        RunPython localCall
        Exit Sub
    End If
    ' Text of 16+ digits (an ID typed as text, "0012345678901234567") would otherwise go out unquoted:
    ' a number that loses digits, or, with a leading zero, JSON the service cannot read at all.
    WebHelpers.JsonOptions.UseDoubleForLargeNumbers = True
    include = SheetsToSend()
    Set merges = WriteMerges(include)
    If Not merges Is Nothing Then include = include & "," & MERGES_SHEET
    ' The helper sheet goes again whatever happens; an error is then raised on as it came.
    On Error GoTo Failed
    ' ?lang=: the service's refusals (no token, a book it cannot take) in the book's language
    RunServerPython url & "/xlwings/" & job & "?lang=" & BookLang(), auth:="Bearer " & token, _
        include:=include, timeout:=SEND_TIMEOUT_MS
    On Error GoTo 0
    DropSheet merges
    Exit Sub
Failed:
    errNumber = Err.Number
    errSource = Err.Source
    errText = Err.Description
    DropSheet merges
    Err.Raise errNumber, errSource, errText
End Sub

' The language the service answers in: the book's own when its tabs say it (as the service reads it,
' cpdsheets.excel.book_lang: the Chinese roster tab means zh, "Teachers" without it en); else Excel's
' UI language.
Private Function BookLang() As String
    If Not FindSheet(Zh(ROSTER_ZH)) Is Nothing Then
        BookLang = "zh"
    ElseIf Not FindSheet("Teachers") Is Nothing Then
        BookLang = "en"
    Else
        BookLang = UiLang()
    End If
End Function

' Excel's UI language: zh for a Chinese UI (PRC, Taiwan, Hong Kong, Singapore, Macao), en for any
' other. WPS may have no LanguageSettings: the error leaves zh, the service's own default.
Private Function UiLang() As String
    Dim id As Long
    UiLang = "zh"
    On Error GoTo Done
    id = Application.LanguageSettings.LanguageID(2)  ' 2 = msoLanguageIDUI
    Select Case id
    Case 2052, 1028, 3076, 4100, 5124
        UiLang = "zh"
    Case Else
        UiLang = "en"
    End Select
Done:
End Function

' The value beside a label in column B of the control sheet ("" when there is none).
Private Function ConsoleSetting(labelZh As String, labelEn As String) As String
    Dim ws As Worksheet
    Dim r As Long
    Dim label As Variant, value As Variant
    ConsoleSetting = ""
    Set ws = FindSheet(Zh(CONSOLE_ZH))
    If ws Is Nothing Then Exit Function
    For r = 1 To ws.UsedRange.Row + ws.UsedRange.Rows.Count - 1
        label = ws.Cells(r, 2).Value
        If Not IsError(label) Then
            If Trim$(CStr(label)) = labelZh Or Trim$(CStr(label)) = labelEn Then
                value = ws.Cells(r, 3).Value
                If Not IsError(value) Then ConsoleSetting = Trim$(CStr(value))
                Exit Function
            End If
        End If
    Next r
End Function

Private Function FindSheet(name As String) As Worksheet
    Dim ws As Worksheet
    For Each ws In ActiveWorkbook.Worksheets
        If StrComp(ws.Name, name, vbTextCompare) = 0 Then
            Set FindSheet = ws
            Exit Function
        End If
    Next ws
    Set FindSheet = Nothing
End Function

' GET <url>/xlwings/ping: True when the service answers 200 within PING_TIMEOUT_MS. WebClient turns
' "cannot connect", "name not resolved" and a timeout into status 408; anything else it raises.
Private Function ServiceAnswers(url As String) As Boolean
    Dim client As New WebClient
    Dim request As New WebRequest
    Dim response As WebResponse
    On Error GoTo Failed
    client.BaseUrl = url & "/xlwings/ping"
    client.TimeoutMs = PING_TIMEOUT_MS
    request.Method = WebMethod.HttpGet
    request.Format = WebFormat.Json
    Set response = client.Execute(request)
    ServiceAnswers = (response.StatusCode = WebStatusCode.Ok)
    Exit Function
Failed:
    ServiceAnswers = False
End Function

' The sheets a job reads, for RunServerPython's include: every worksheet but the control and guide
' sheets, xlwings.conf and the output tabs the record (cpdsheets.marks) lists; the record itself is
' sent (it says which cells were marked). Without a record the tabs named like output tabs are sent
' too: the service then judges by their content whether they are ours.
' (Remote.bas splits include at commas: a sheet whose name holds a comma cannot be sent.)
Private Function SheetsToSend() As String
    Dim ws As Worksheet
    Dim skip As String, names As String
    skip = "|" & Zh(CONSOLE_ZH) & "|" & Zh(GUIDE_ZH) & "|Guide|" & CONFIG_SHEET & "|" & MERGES_SHEET & "|" & _
        RecordedTabs()
    names = ""
    For Each ws In ActiveWorkbook.Worksheets
        If InStr(1, skip, "|" & ws.Name & "|", vbTextCompare) = 0 And InStr(1, ws.Name, ",") = 0 Then
            If names <> "" Then names = names & ","
            names = names & ws.Name
        End If
    Next ws
    SheetsToSend = names
End Function

' "name|name|" of the tabs the record lists (rows with a sheet, no cell, and a key in column G).
Private Function RecordedTabs() As String
    Dim store As Worksheet
    Dim r As Long
    RecordedTabs = ""
    Set store = FindSheet(RECORD_SHEET)
    If store Is Nothing Then Exit Function
    For r = 2 To store.UsedRange.Row + store.UsedRange.Rows.Count - 1
        If store.Cells(r, 1).Text <> "" And store.Cells(r, 2).Text = "" And store.Cells(r, 7).Text <> "" Then
            RecordedTabs = RecordedTabs & store.Cells(r, 1).Text & "|"
        End If
    Next r
End Function

' Remote.bas sends values only, and Excel keeps a merged area's value in its top-left cell; the file
' reader fills the whole area. So the merged areas of the sheets in include (comma-separated) are
' listed on a hidden sheet of ours after the last one, a row each: sheet name | area ("A5:A9"), under
' a header row. The service fills them as the file reader does and never writes to the sheet;
' RunJob deletes it after the answer has run. Returns Nothing when no sheet sent has a merged area,
' or on any error here (a protected workbook structure cannot add a sheet): the book then goes as
' before, its merged areas unfilled.
Private Function WriteMerges(include As String) As Worksheet
    Dim sheetNames() As String
    Dim areas As New Collection
    Dim ws As Worksheet, store As Worksheet
    Dim shown As Object
    Dim grid() As Variant
    Dim item As Variant
    Dim i As Long, r As Long
    Dim updating As Boolean
    Set WriteMerges = Nothing
    updating = Application.ScreenUpdating
    On Error GoTo Failed
    DropSheet FindSheet(MERGES_SHEET)  ' left by a click that did not finish (stopped in the debugger)
    If include = "" Then Exit Function
    sheetNames = Split(include, ",")
    For i = LBound(sheetNames) To UBound(sheetNames)
        Set ws = FindSheet(sheetNames(i))
        If Not ws Is Nothing Then CollectMerges ws, areas
    Next i
    If areas.Count = 0 Then Exit Function
    ReDim grid(1 To areas.Count + 1, 1 To 2)
    grid(1, 1) = "sheet"
    grid(1, 2) = "area"
    r = 1
    For Each item In areas
        r = r + 1
        grid(r, 1) = "'" & item(0)  ' the text prefix: a sheet named 2024 or 1-2 stays that text
        grid(r, 2) = "'" & item(1)
    Next item
    Set shown = ActiveSheet  ' Worksheets.Add activates the new sheet; Remote.bas sends the active one
    Application.ScreenUpdating = False
    Set store = ActiveWorkbook.Worksheets.Add(After:=ActiveWorkbook.Worksheets(ActiveWorkbook.Worksheets.Count))
    store.Name = MERGES_SHEET
    store.Range(store.Cells(1, 1), store.Cells(areas.Count + 1, 2)).Value = grid
    shown.Activate
    store.Visible = xlSheetHidden
    Application.ScreenUpdating = updating
    Set WriteMerges = store
    Exit Function
Failed:
    Resume Undo  ' leaves the error handler, so the clean-up below runs under its own On Error
Undo:
    On Error Resume Next
    If Not store Is Nothing Then DropSheet store
    If Not shown Is Nothing Then shown.Activate
    Application.ScreenUpdating = updating
    Set WriteMerges = Nothing
End Function

' Adds to areas an Array(sheet name, address) for each merged area of ws, found column by column.
Private Sub CollectMerges(ws As Worksheet, areas As Collection)
    Dim used As Range
    Dim c As Long
    Set used = ws.UsedRange
    If Not HasMerges(used) Then Exit Sub
    For c = used.Column To used.Column + used.Columns.Count - 1
        ScanColumn ws, c, used.Row, used.Row + used.Rows.Count - 1, areas
    Next c
End Sub

' The merged areas whose top-left cell is in column c between rows top and bottom. A half with no
' merged cell is skipped whole, so a long log with a few merged cells costs a few look-ups per column.
' An area is added once, from its top-left cell; the scan jumps to the row below it.
Private Sub ScanColumn(ws As Worksheet, c As Long, top As Long, bottom As Long, areas As Collection)
    Dim middle As Long, r As Long
    Dim area As Range
    If Not HasMerges(ws.Range(ws.Cells(top, c), ws.Cells(bottom, c))) Then Exit Sub
    If bottom - top >= SCAN_RUN Then
        middle = (top + bottom) \ 2
        ScanColumn ws, c, top, middle, areas
        ScanColumn ws, c, middle + 1, bottom, areas
        Exit Sub
    End If
    r = top
    Do While r <= bottom
        If ws.Cells(r, c).MergeCells Then
            Set area = ws.Cells(r, c).MergeArea
            If area.Row = r And area.Column = c Then areas.Add Array(ws.Name, area.Address(False, False))
            r = area.Row + area.Rows.Count
        Else
            r = r + 1
        End If
    Loop
End Sub

' Range.MergeCells is True when every cell is merged, False when none is, Null when some are.
Private Function HasMerges(block As Range) As Boolean
    Dim state As Variant
    state = block.MergeCells
    If IsNull(state) Then
        HasMerges = True
    Else
        HasMerges = CBool(state)
    End If
End Function

' Deletes a helper sheet of ours without Excel's "delete this sheet?" prompt; nothing for Nothing.
Private Sub DropSheet(ws As Worksheet)
    Dim alerts As Boolean
    If ws Is Nothing Then Exit Sub
    alerts = Application.DisplayAlerts
    On Error Resume Next
    Application.DisplayAlerts = False
    ws.Delete
    Application.DisplayAlerts = alerts
End Sub

' Text from space-separated hexadecimal Unicode code points, e.g. "63A7 5236 53F0".
Private Function Zh(codes As String) As String
    Dim parts() As String
    Dim i As Long
    parts = Split(codes, " ")
    Zh = ""
    For i = LBound(parts) To UBound(parts)
        Zh = Zh & ChrW(CLng("&H" & parts(i) & "&"))  ' the trailing & makes it Long: "&HFF08" alone is an Integer, -248
    Next i
End Function
