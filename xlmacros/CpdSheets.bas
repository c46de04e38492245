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
Private Const CONFIG_SHEET As String = "xlwings.conf"
' the control sheet
Private Const CONSOLE_ZH As String = "63A7 5236 53F0"
' the guide sheet
Private Const GUIDE_ZH As String = "8BF4 660E"
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
    Dim url As String, token As String
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
    RunServerPython url & "/xlwings/" & job, auth:="Bearer " & token, include:=SheetsToSend(), _
        timeout:=SEND_TIMEOUT_MS
End Sub

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
    skip = "|" & Zh(CONSOLE_ZH) & "|" & Zh(GUIDE_ZH) & "|Guide|" & CONFIG_SHEET & "|" & RecordedTabs()
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
