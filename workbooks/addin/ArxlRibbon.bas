Attribute VB_Name = "ArxlRibbon"
' The arxl ribbon tab's one callback: every button runs the Python macro named by its id, as
' arxl.macros.run("<button id>"), through xlwings' RunPython (in this add-in's xlwings module).
' The buttons are defined in customUI.xml; their ids are the keys of arxl.macros.BUTTONS.
Option Explicit

Sub arxl_ribbon(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the billing workbook first.", vbInformation, "arxl"
        Exit Sub
    End If
    RunPython "import arxl.macros as m; m.run('" & control.Id & "')"
End Sub
