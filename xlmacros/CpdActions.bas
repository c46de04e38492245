Attribute VB_Name = "CpdActions"
' The actions the cpdsheets service answers with that xlwings' Remote.bas does not implement.
' RunServerPython runs every action as  Application.Run action("func"), wb, action  so each Sub
' here is found by its name; the names start with "cpd" so none clashes with Remote.bas's.
' action("args") is a Collection (1-based); nested lists are Collections too. Rows and columns are
' Long throughout: an output tab or a log sheet can pass 32,767 rows.
' The Python side that writes these actions, and a model that runs them, is
' cpdsheets/doors/xlclient (actions.py) and tests/vba_client_model.py.
Option Explicit

Private Const XL_NONE As Long = -4142          ' xlNone: no fill
Private Const XL_SOLID As Long = 1             ' xlSolid
Private Const XL_SHEET_VISIBLE As Long = -1    ' xlSheetVisible
Private Const XL_SHEET_HIDDEN As Long = 0      ' xlSheetHidden
Private Const XL_LANDSCAPE As Long = 2         ' xlLandscape
Private Const XL_PAPER_A4 As Long = 9          ' xlPaperA4

Private Function SheetOf(wb As Workbook, action As Dictionary) As Worksheet
    Set SheetOf = wb.Worksheets(CLng(action("sheet_position")) + 1)
End Function

' args: colour ("#RRGGBB", or "" for no fill), addresses (each at most 255 characters, e.g. "A2:A9,C4")
Sub cpdPaint(wb As Workbook, action As Dictionary)
    Dim ws As Worksheet
    Dim colour As String
    Dim address As Variant
    Set ws = SheetOf(wb, action)
    colour = action("args")(1)
    For Each address In action("args")(2)
        If colour = "" Then
            ws.Range(CStr(address)).Interior.Pattern = XL_NONE
        Else
            ws.Range(CStr(address)).Interior.Color = HexToRgb(colour)
        End If
    Next address
End Sub

' args: number format (Excel's English codes, e.g. "0.0#"), addresses (each at most 255 characters)
Sub cpdNumberFormat(wb As Workbook, action As Dictionary)
    Dim ws As Worksheet
    Dim address As Variant
    Set ws = SheetOf(wb, action)
    For Each address In action("args")(2)
        ws.Range(CStr(address)).NumberFormat = CStr(action("args")(1))
    Next address
End Sub

' args: bold (True/False), points to add to the current size (0: keep it)
Sub cpdFont(wb As Workbook, action As Dictionary)
    Dim target As Range
    Set target = GetRange(wb, action)
    target.Font.Bold = CBool(action("args")(1))
    If CDbl(action("args")(2)) <> 0 Then
        target.Font.Size = target.Font.Size + CDbl(action("args")(2))
    End If
End Sub

' args: horizontal ("center", "left", "right" or "" to keep), vertical (same, "top"/"bottom"), wrap
Sub cpdAlign(wb As Workbook, action As Dictionary)
    Dim target As Range
    Set target = GetRange(wb, action)
    Select Case CStr(action("args")(1))
    Case "center": target.HorizontalAlignment = -4108
    Case "left": target.HorizontalAlignment = -4131
    Case "right": target.HorizontalAlignment = -4152
    End Select
    Select Case CStr(action("args")(2))
    Case "center": target.VerticalAlignment = -4108
    Case "top": target.VerticalAlignment = -4160
    Case "bottom": target.VerticalAlignment = -4107
    End Select
    target.WrapText = CBool(action("args")(3))
End Sub

' The sheet-level look of an output tab, as the CLI's package writer gives it.
' args: widths (one per column from A, in characters), header row (rows 1..it frozen and printed
' on every page), last row (the filter covers header..last), tab colour "#RRGGBB"
Sub cpdTabLook(wb As Workbook, action As Dictionary)
    Dim ws As Worksheet
    Dim widths As Collection
    Dim headerRow As Long, lastRow As Long, col As Long
    Dim current As Object  ' the active sheet may be a chart sheet
    Set ws = SheetOf(wb, action)
    Set widths = action("args")(1)
    headerRow = CLng(action("args")(2))
    lastRow = CLng(action("args")(3))
    For col = 1 To widths.Count
        ws.Columns(col).ColumnWidth = CDbl(widths(col))
    Next col
    ws.Tab.Color = HexToRgb(CStr(action("args")(4)))
    If widths.Count > 0 Then
        If ws.AutoFilterMode Then ws.AutoFilterMode = False
        ws.Range(ws.Cells(headerRow, 1), ws.Cells(lastRow, widths.Count)).AutoFilter
    End If
    ' Frozen panes belong to a window: show the sheet, freeze, then show the one that was active
    ' (a tab the user hid cannot be shown, and keeps its panes).
    If ws.Visible = XL_SHEET_VISIBLE Then
        Set current = ActiveSheet
        ws.Activate
        ActiveWindow.FreezePanes = False
        ActiveWindow.ScrollRow = 1
        ActiveWindow.ScrollColumn = 1
        ActiveWindow.SplitColumn = 0
        ActiveWindow.SplitRow = headerRow
        ActiveWindow.FreezePanes = True
        current.Activate
    End If
    ' Page setup talks to the printer driver and fails on a PC without one: printing is a nicety.
    On Error Resume Next
    With ws.PageSetup
        .PrintTitleRows = "$1:$" & headerRow
        .Orientation = XL_LANDSCAPE
        .PaperSize = XL_PAPER_A4
        .Zoom = False
        .FitToPagesWide = 1
        .FitToPagesTall = False
    End With
    On Error GoTo 0
End Sub

' args: links, each (row, column, place like "'tab'!C12"); the cell keeps its text
Sub cpdLinks(wb As Workbook, action As Dictionary)
    Dim ws As Worksheet
    Dim link As Variant
    Set ws = SheetOf(wb, action)
    For Each link In action("args")(1)
        ws.Hyperlinks.Add Anchor:=ws.Cells(CLng(link(1)), CLng(link(2))), Address:="", SubAddress:=CStr(link(3))
    Next link
End Sub

' args: visible (True/False)
Sub cpdSheetVisible(wb As Workbook, action As Dictionary)
    If CBool(action("args")(1)) Then
        SheetOf(wb, action).Visible = XL_SHEET_VISIBLE
    Else
        SheetOf(wb, action).Visible = XL_SHEET_HIDDEN
    End If
End Sub

' Marks bad input cells and completes the record (hidden sheet cpdsheets.marks) with what only
' this PC can see: whether the cell already had a note, and its fill before the mark.
' The note reads as the CLI writes it: the author's name in bold on its own line, then the text.
' args: record sheet name, mark colour "#RRGGBB", note author, items each
'   (address, note text, record row, recorded before (True: the record already holds its fill),
'    note ours before (True: the note on the cell is one cpdsheets added))
Sub cpdMarkCells(wb As Workbook, action As Dictionary)
    Dim ws As Worksheet, store As Worksheet
    Dim item As Variant
    Dim cell As Range
    Dim storeRow As Long
    Dim added As Boolean
    Dim author As String
    Set ws = SheetOf(wb, action)
    Set store = wb.Worksheets(CStr(action("args")(1)))
    author = CStr(action("args")(3))
    For Each item In action("args")(4)
        Set cell = ws.Range(CStr(item(1)))
        storeRow = CLng(item(3))
        If Not CBool(item(4)) Then
            If FillHex(cell) <> "" Then store.Cells(storeRow, 4).Value = "'" & FillHex(cell)
        End If
        If cell.Comment Is Nothing Then
            AddNote cell, author, CStr(item(2))
            added = True
        ElseIf CBool(item(5)) Then
            cell.Comment.Delete
            AddNote cell, author, CStr(item(2))
            added = True
        Else
            added = False  ' the user's own note stays; the fill still shows the error
        End If
        If added Then
            store.Cells(storeRow, 3).Value = 1
        Else
            store.Cells(storeRow, 3).Value = 0
        End If
        cell.Interior.Color = HexToRgb(CStr(action("args")(2)))
    Next item
End Sub

Private Sub AddNote(cell As Range, author As String, text As String)
    cell.AddComment author & ":" & vbLf & text
    cell.Comment.Shape.TextFrame.Characters(1, Len(author) + 1).Font.Bold = True
End Sub

' "#RRGGBB" of a cell's own solid fill, "" for none (a cell already showing the mark colour counts
' as none: its own fill is unknown)
Private Function FillHex(cell As Range) As String
    Dim c As Long
    FillHex = ""
    If cell.Interior.Pattern <> XL_SOLID Then Exit Function
    c = cell.Interior.Color
    FillHex = "#" & Right$("0" & Hex$(c Mod 256), 2) & Right$("0" & Hex$((c \ 256) Mod 256), 2) & _
        Right$("0" & Hex$((c \ 65536) Mod 256), 2)
    If FillHex = "#FF9999" Then FillHex = ""  ' MARK_FILL in cpdsheets/reports/tables.py
End Function

' Gives marked cells back their fill and removes cpdsheets' notes.
' args: items each (address, fill "#RRGGBB" or "" for none, note added by cpdsheets)
Sub cpdUnmark(wb As Workbook, action As Dictionary)
    Dim ws As Worksheet
    Dim item As Variant
    Dim cell As Range
    Set ws = SheetOf(wb, action)
    For Each item In action("args")(1)
        Set cell = ws.Range(CStr(item(1)))
        If CStr(item(2)) = "" Then
            cell.Interior.Pattern = XL_NONE
        Else
            cell.Interior.Color = HexToRgb(CStr(item(2)))
        End If
        If CBool(item(3)) Then
            If Not cell.Comment Is Nothing Then cell.Comment.Delete
        End If
    Next item
End Sub

' args: an address to open in the browser (the archive button: the upload's page on the service, where the archive downloads)
Sub cpdOpenUrl(wb As Workbook, action As Dictionary)
    wb.FollowHyperlink CStr(action("args")(1))
End Sub
