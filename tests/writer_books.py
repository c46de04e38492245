"""Workbooks and output tables shared by the package-writer tests (built fresh, never checked in)."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
import xlwings

from cpdsheets.reports.tables import ChartSpec, Column, TabTable

QUICKSTART = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
TRICKY_TEXT = ["=HYPERLINK(\"http://x\",\"点我\")", "+1", "-3", "@x", "=1+1", "a\x01b\x0bc", "_x0041_ & <b>"]


def vba_bin(folder: Path) -> Path:
    out = folder / "vbaProject.bin"
    with zipfile.ZipFile(QUICKSTART) as z:
        out.write_bytes(z.read("xl/vbaProject.bin"))
    return out


def macro_book(path: Path) -> Path:
    """A .xlsm with VBA, a form button, validation, conditional formats, a table, notes, a defined
    name, merged cells, a chart and styled cells: everything a write must leave untouched."""
    wb = xlsxwriter.Workbook(path)
    if path.suffix == ".xlsm":
        wb.add_vba_project(str(vba_bin(path.parent)))
    bold = wb.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1})
    day = wb.add_format({"num_format": "yyyy/m/d"})
    money = wb.add_format({"num_format": "0.00", "font_color": "#C00000"})
    ws = wb.add_worksheet("听课记录")
    ws.merge_range("A1:E1", "2024-2025学年听课记录", bold)
    ws.write_row(1, 0, ["日期", "听课人工号", "授课教师", "地点", "评课字数"], bold)
    for i in range(40):
        ws.write_datetime(2 + i, 0, datetime(2024, 9, 2 + i % 20), day)
        ws.write_string(2 + i, 1, f"{1001 + i % 7}")
        ws.write_string(2 + i, 2, ["张老师", "李老师", "=SUM(1)"][i % 3])
        ws.write_string(2 + i, 3, "校内" if i % 2 else "校外")
        ws.write_number(2 + i, 4, 120.5 + i, money)
    ws.write_formula("F3", "=E3*2", None, 241)
    ws.data_validation("D3:D200", {"validate": "list", "source": ["校内", "校外"]})
    ws.conditional_format("E3:E200", {"type": "cell", "criteria": ">", "value": 150,
                                      "format": wb.add_format({"bg_color": "#FFC7CE"})})
    ws.write_comment("B3", "老师自己的批注")
    if path.suffix == ".xlsm":
        ws.insert_button("H2", {"macro": "hello", "caption": "校验", "width": 80, "height": 30})
    ws.set_column("A:A", 12)
    roster = wb.add_worksheet("教师名册")
    roster.add_table("A1:C8", {"name": "名册", "columns": [{"header": "工号"}, {"header": "姓名"}, {"header": "教研组"}],
                               "data": [[f"{1001 + i}", f"教师{i}", ["语文组", "数学组"][i % 2]] for i in range(7)]})
    wb.define_name("工号列表", "=教师名册!$A$2:$A$8")
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=听课记录!$E$3:$E$20", "name": "评课字数"})
    ws.insert_chart("H6", chart)
    wb.close()
    return path


def output_tabs(run_time: datetime = datetime(2025, 1, 10, 8, 30, 0)) -> list[TabTable]:
    summary = TabTable(
        "summary", "学分汇总",
        [Column("工号"), Column("姓名"), Column("总学分", "number"), Column("听课节数", "int"),
         Column("完成率", "percent"), Column("状态", "status")],
        [[f"{1001 + i}", f"教师{i}", 40.5 - i * 3.25, 20 + i, (40.5 - i * 3.25) / 40, ["达标", "进度落后", "未达标", "超出上限"][i % 4]]
         for i in range(12)],
    )
    alerts = TabTable(
        "alerts", "达标预警", [Column("严重度", "status"), Column("工号"), Column("规则"), Column("说明")],
        [["error", "1003", "R01", "总学分不足"], ["warning", "1004", "R03", "听课进度落后"]],
    )
    issues = TabTable(
        "issues", "校验问题",
        [Column("位置"), Column("严重度", "status"), Column("值"), Column("日期", "date"), Column("说明")],
        [[f"听课记录!C{3 + i}", "error", text, date(2024, 9, 3 + i), "授课教师不存在"]
         for i, text in enumerate(TRICKY_TEXT)],
        links=[f"'听课记录'!C{3 + i}" for i in range(len(TRICKY_TEXT))],
    )
    groups = TabTable(
        "groups", "教研组统计", [Column("教研组"), Column("人数", "int"), Column("完成率", "percent")],
        [["语文组", 12, 0.75], ["数学组", 10, 0.9], ["英语组", 6, 0.5]],
        chart=ChartSpec("各教研组完成率", 0, [2], "column", "完成率"),
    )
    runlog = TabTable(
        "runlog", "运行记录", [Column("项目"), Column("值")],
        [["版本", "0.1.0"], ["运行时间", run_time.strftime("%Y-%m-%d %H:%M:%S")], ["统计截止日", "2025-01-10"],
         ["输入哈希", "ab12cd"], ["教师数", "12"]],
    )
    runlog.columns[1].kind = "text"
    return [summary, alerts, issues, groups, runlog]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}
