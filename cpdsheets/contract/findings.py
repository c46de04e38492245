"""The findings catalogue: every problem the add-in can report, each a small class with a stable code.

A code never changes meaning once released (CI pipelines filter on it). Messages and hints are
templates filled from a finding's ``params``; Chinese first, English on request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from .schema import EXEMPTING_SHEETS
from .texts import WORDS, Lang, Text

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"error": 2, "warning": 1, "info": 0}


class FindingType:
    code: ClassVar[str]
    severity: ClassVar[Severity]
    title: ClassVar[Text]
    message: ClassVar[Text]
    hint: ClassVar[Text]
    # Hints for a likely fix the check found (``Finding.variant``), e.g. the 工号 a typed name belongs to.
    variant_hints: ClassVar[dict[str, Text]] = {}
    # What the finding does to the computation, said after its message: "cell" for a finding about
    # a data row's cell, "column" for a missing column (the effect follows from severity and the
    # column, see ``Finding.effect``), an ``EFFECTS`` key when it is always the same, None when the
    # message itself says it.
    effect: ClassVar[str | None] = None
    # The parameters its templates are filled from besides the place (column, value, sheet): ``at``
    # takes exactly these, so no message is ever shown with a ``{field}`` left unfilled.
    fields: ClassVar[tuple[str, ...]] = ()

    registry: ClassVar[dict[str, type[FindingType]]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if cls.code in FindingType.registry:
            raise ValueError(f"duplicate finding code {cls.code}")
        FindingType.registry[cls.code] = cls

    @classmethod
    def at(cls, sheet: str, *, row: int | None = None, cell: str = "", column: str = "", value: Any = "",
           drops_row: bool = True, severity: Severity | None = None, **params: Any) -> Finding:
        """A finding of this type at one place; ``params`` are the type's ``fields``, no more, no fewer."""
        missing, unknown = set(cls.fields) - params.keys(), params.keys() - set(cls.fields)
        if missing or unknown:
            raise TypeError(f"{cls.__name__}.at: missing {sorted(missing)}, unknown {sorted(unknown)}")
        return Finding(cls.code, sheet, row=row, cell=cell, column=column, value=value, params=params,
                       severity=severity, drops_row=drops_row)


_t = Text


def bilingual(zh: str, en: str) -> Text:
    """A finding parameter in both languages (a reason, an attribute name): filled in as ``lang``."""
    return Text(zh, en)


EFFECTS: dict[str, Text] = {
    "row-left-out": _t("本行不计入统计。", "This row is not counted."),
    "cell-blank": _t("该单元格按空白处理。", "The cell is read as blank; the row still counts."),
    "row-counts": _t("本行仍计入统计。", "The row still counts."),
    "sheet-left-out": _t("该表各行均不计入统计。", "No row of this sheet is counted."),
    "column-blank": _t("该列按空白处理，各行仍计入统计。", "The column is read as blank; the rows still count."),
    # An exemption row left out excuses no one: said so, since "not counted" means nothing for 豁免.
    "exemption-void": _t("此行豁免不生效。", "This exemption has no effect."),
}


# -- structure ---------------------------------------------------------------------------------

class MissingSheet(FindingType):
    code, severity = "missing-sheet", "error"
    fields = ("expected", "alias")
    title = _t("缺少工作表", "Missing sheet")
    message = _t("找不到工作表「{expected}」。", "Sheet '{expected}' was not found.")
    hint = _t("添加名为「{expected}」的工作表（也可用英文名 {alias}）。",
              "Add a sheet named '{expected}' (or its English alias {alias}).")
    # A book read through 映射 (`bind`): the school's own sheet is named there, not added.
    variant_hints = {"bound": _t(
        "本工作簿按「映射」读取：学校若有这类登记表，在「映射」中加一行（整张表）把它对应到「{expected}」后重新校验；"
        "本校不登记这类记录，就加一行「（本校不登记） | （整张表） | {expected}」。",
        "This book is read through 映射: if the school keeps such a sheet, add a （整张表） line mapping it to "
        "'{expected}' and validate again; if it does not keep one, add the line （本校不登记） | （整张表） | {expected}.")}


class NotBound(FindingType):
    code, severity = "not-bound", "error"
    fields = ("book", "sheets")
    title = _t("学校自己的登记簿，尚未绑定", "The school's own book, not bound yet")
    message = _t("没有「教师名册」，但 cpdsheets bind 认得这本工作簿的登记表：{sheets}。",
                 "There is no 教师名册, but cpdsheets bind recognises this book's logs: {sheets}.")
    hint = _t("运行 cpdsheets bind {book}：它把这些表对应到 cpdsheets（本校的单元格不变），写出 .xlsm；以后校验那个 .xlsm。",
              "Run cpdsheets bind {book}: it maps these sheets for cpdsheets (the school's cells stay as they are) "
              "and writes an .xlsm; validate that .xlsm from then on.")


class MissingColumn(FindingType):
    code, severity = "missing-column", "error"
    fields = ("expected", "accepted")
    effect = "column"
    title = _t("缺少必填列", "Missing required column")
    message = _t("工作表缺少必填列「{expected}」。", "Required column '{expected}' is missing.")
    hint = _t("在表头行添加「{expected}」列（可接受的写法：{accepted}）。",
              "Add a '{expected}' column to the header row (accepted: {accepted}).")


class HeaderNotFound(FindingType):
    code, severity = "header-not-found", "error"
    fields = ("rows", "expected")
    effect = "sheet-left-out"
    title = _t("找不到表头行", "Header row not found")
    message = _t("在前 {rows} 行中找不到表头行（应包含 {expected}）。",
                 "No header row among the first {rows} rows (expected {expected}).")
    hint = _t("确认表头行的列名与模板一致。", "Make sure the header names match the template.")


class DuplicateColumn(FindingType):
    code, severity = "duplicate-column", "warning"
    fields = ("expected",)
    title = _t("重复的列", "Duplicate column")
    message = _t("「{expected}」列出现了不止一次，只使用第一列。",
                 "Column '{expected}' appears more than once; the first one is used.")
    hint = _t("删除或重命名多余的列。", "Delete or rename the extra column.")


# Hints naming the likely fix for a 工号 (engine.checks.suggest_ids).
_PADDED_ID = _t("名册中有工号 {suggest_id}（{suggest_name}），只差前导零：请改为 {suggest_id}。",
                "The roster has ID {suggest_id} ({suggest_name}), differing only in leading zeros: "
                "enter {suggest_id}.")
# The other way round: the log has the zeros the roster lacks, which is how Excel leaves a 工号 typed
# into a number cell; fixing the one roster cell lets every such row count.
_UNPADDED_ROSTER_ID = _t(
    "名册中有工号 {suggest_id}（{suggest_name}），只差前导零。若本校工号就是「{value}」，是名册中该单元格按数字保存、"
    "丢了前导零：请在名册中把 {suggest_id} 改为文本 {value}（输入 '{value}），写成这样的各行就都能计入；否则把这里改为 {suggest_id}。",
    "The roster has ID {suggest_id} ({suggest_name}), differing only in leading zeros. If the school's ID is "
    "'{value}', the roster keeps it in a number cell, which drops the zeros: retype it there as text ('{value}) and "
    "every row written so counts; otherwise enter {suggest_id} here.")
_NAME_FOR_ID = _t("「{value}」是名册中{suggest_name}的姓名，工号应填 {suggest_id}。",
                  "'{value}' is the name of {suggest_name} in the roster: enter ID {suggest_id}.")


# -- cell values -------------------------------------------------------------------------------

class MissingValue(FindingType):
    code, severity = "missing-value", "error"
    effect = "cell"
    title = _t("必填项为空", "Required value missing")
    message = _t("「{column}」为空。", "'{column}' is empty.")
    hint = _t("填写「{column}」。", "Fill in '{column}'.")


_OPEN_AND_SAVE = _t("文件多半最后由不计算公式的程序（如 openpyxl 脚本）保存：用 Excel 或 WPS 打开并保存一次，公式就会"
                    "存下结果，再重新校验。",
                    "The file was probably last saved by a program that does not calculate (an openpyxl script, say): "
                    "open and save it once in Excel or WPS so the formulas keep their results, then validate again.")


class FormulaNotCalculated(FindingType):
    """A required cell that is a formula with no saved result: not empty, but unreadable here."""

    code, severity = "formula-not-calculated", "error"
    effect = "cell"
    title = _t("公式没有计算结果", "Formula without a result")
    message = _t("「{column}」是公式 {value}，但文件里没有保存它的计算结果，只能按空白读取。",
                 "'{column}' is the formula {value}, but the file keeps no result for it, so it reads as blank.")
    hint = _OPEN_AND_SAVE

    @classmethod
    def instead_of(cls, missing: Finding, formula: str) -> Finding:
        """``missing`` (a missing-value finding) said of the formula the cell really holds."""
        return cls.at(missing.sheet, row=missing.row, cell=missing.cell, column=missing.column, value=formula,
                      drops_row=missing.drops_row, severity=missing.severity)


class FormulasNotCalculated(FindingType):
    """The other such cells of a sheet the jobs read, said once: optional cells read as blank."""

    code, severity = "formulas-not-calculated", "warning"
    fields = ("count", "examples")
    title = _t("公式没有计算结果", "Formulas without results")
    message = _t("工作表「{sheet}」有 {count} 个公式单元格没有保存计算结果（{examples}），这些单元格按空白读取。",
                 "Sheet '{sheet}' has {count} formula cells with no saved result ({examples}); they read as blank.")
    hint = _OPEN_AND_SAVE


class InvalidDate(FindingType):
    code, severity = "invalid-date", "error"
    effect = "cell"
    title = _t("日期无法识别", "Unrecognised date")
    message = _t("「{value}」不是有效日期。", "'{value}' is not a valid date.")
    hint = _t("请填写如 2024-09-03 或 2024年9月3日 的日期。", "Use a date such as 2024-09-03.")


class DateAsNumber(FindingType):
    """A number in a date column that is a date Excel turned into a number: `12.3` typed for 12月3日
    (Excel, WPS and LibreOffice in a Chinese locale keep it as the number 12.3), or `2025.9`."""

    code, severity = "date-as-number", "error"
    fields = ("guess",)
    effect = "cell"
    title = _t("日期被存成了数字", "Date stored as a number")
    message = _t("「{value}」是数字，不是日期：这样输入的日期被 Excel 当成了数字（可能是想填 {guess}）。",
                 "'{value}' is a number, not a date: Excel turned the date typed this way into a number "
                 "(probably {guess}).")
    hint = _t("把日期重新输入为 2025-12-03 或 12月3日 的写法（输入「12.3」会被当成数字）。",
              "Retype the date as 2025-12-03 or 12月3日 (typing 12.3 makes it a number).")


class InvalidNumber(FindingType):
    code, severity = "invalid-number", "error"
    effect = "cell"
    title = _t("数字无法识别", "Unrecognised number")
    message = _t("「{value}」不是有效数字。", "'{value}' is not a valid number.")
    hint = _t("请填写数字，如 1.5 或 2学时。", "Enter a number such as 1.5.")


class NegativeNumber(FindingType):
    code, severity = "negative-number", "error"
    effect = "cell"
    title = _t("数字为负", "Negative number")
    message = _t("「{column}」不能为负数：{value}。", "'{column}' cannot be negative: {value}.")
    hint = _t("请填写 0 或正数。", "Enter zero or a positive number.")


class UnexpectedUnit(FindingType):
    code, severity = "unexpected-unit", "warning"
    fields = ("unit", "units", "number")
    effect = "cell"
    title = _t("单位与该列不符", "Unit does not fit the column")
    message = _t("「{value}」的单位「{unit}」不是「{column}」的单位（应为 {units}），按 {number} 计入。",
                 "'{value}': '{unit}' is not a unit of '{column}' ({units}); read as {number}.")
    hint = _t("确认这一格填的确实是「{column}」；只填数字即可，如 {number}。",
              "Check that this cell really holds '{column}'; a plain number is enough, e.g. {number}.")


class InvalidChoice(FindingType):
    code, severity = "invalid-choice", "error"
    fields = ("choices",)
    effect = "cell"
    title = _t("取值不在选项中", "Value not allowed")
    message = _t("「{value}」不是「{column}」的有效选项。", "'{value}' is not a valid '{column}'.")
    hint = _t("可选：{choices}。", "Choose one of: {choices}.")


class InvalidTeacherId(FindingType):
    code, severity = "invalid-teacher-id", "error"
    effect = "cell"
    title = _t("工号格式错误", "Malformed teacher ID")
    message = _t("「{value}」不是有效的工号。", "'{value}' is not a valid teacher ID.")
    hint = _t("工号只能包含字母和数字。", "A teacher ID holds letters and digits only.")
    variant_hints = {"by-name": _NAME_FOR_ID}


# -- cross-row and cross-sheet -----------------------------------------------------------------

class UnknownTeacher(FindingType):
    code, severity = "unknown-teacher", "error"
    effect = "cell"
    title = _t("工号不在名册中", "Unknown teacher ID")
    message = _t("工号「{value}」不在教师名册中。", "Teacher ID '{value}' is not in the roster.")
    hint = _t("核对工号，或先在「教师名册」中添加该教师。", "Check the ID or add the teacher to the roster.")
    variant_hints = {
        "padded": _PADDED_ID,
        "roster-unpadded": _UNPADDED_ROSTER_ID,
        "by-name": _NAME_FOR_ID,
    }


class NameMismatch(FindingType):
    code, severity = "name-mismatch", "warning"
    fields = ("teacher_id", "expected")
    effect = "cell"
    title = _t("姓名与名册不符", "Name does not match roster")
    message = _t("工号 {teacher_id} 在名册中是「{expected}」，此处填的是「{value}」。",
                 "ID {teacher_id} is '{expected}' in the roster, but '{value}' here.")
    hint = _t("核对工号与姓名是否对应。", "Check that the ID and the name belong together.")


class DuplicateRow(FindingType):
    code, severity = "duplicate-row", "error"
    fields = ("first_row",)
    effect = "cell"
    title = _t("重复记录", "Duplicate row")
    message = _t("与第 {first_row} 行完全相同。", "Identical to row {first_row}.")
    hint = _t("删除重复行。", "Delete the duplicate.")

    @classmethod
    def from_row(cls, sheet: str, row: int, *, first_row: int, value: Any = "") -> Finding:
        """The whole row repeats an earlier one: the finding sits on the row (column A), and an error
        about a whole row always leaves it out, whatever its columns. ``value``: its first compared cell."""
        return cls.at(sheet, row=row, cell=f"A{row}", value=value, first_row=first_row)


class DateOutsideYear(FindingType):
    # An error: only dates inside the school year are counted, and a row left out is never left in silence.
    code, severity = "date-outside-year", "error"
    fields = ("start", "end")
    effect = "cell"
    title = _t("日期不在本学年内", "Date outside the school year")
    message = _t("{value} 不在本学年（{start} 至 {end}）内。",
                 "{value} is outside the school year ({start} to {end}).")
    hint = _t("核对年份是否填错。", "Check the year.")


class TooManyHours(FindingType):
    code, severity = "too-many-hours", "warning"
    fields = ("teacher_id", "date", "hours", "limit")
    effect = "cell"
    title = _t("单日学时过多", "Too many hours in one day")
    message = _t("工号 {teacher_id} 在 {date} 每天 {hours} 学时（每行按 学时 ÷ 天数 计，未填天数按 1 天），"
                 "超过 {limit} 学时。",
                 "ID {teacher_id} logged {hours} hours per day on {date} (each row's 学时 ÷ 天数, 1 day "
                 "when 天数 is blank), more than {limit}.")
    hint = _t("核对学时是否重复登记或填错；多日培训请填写天数。",
              "Check for double entries or typos; give 天数 for a course of several days.")


class UnknownObservedTeacher(FindingType):
    code, severity = "unknown-observed-teacher", "warning"
    effect = "cell"
    title = _t("授课教师不在名册中", "Observed teacher not in roster")
    message = _t("校内听课的授课教师「{value}」不在教师名册中。",
                 "In-school lesson taught by '{value}', who is not in the roster.")
    hint = _t("填写名册中的姓名或工号；外校教师请把地点填为校外。",
              "Use a name or ID from the roster; for another school set 地点 to 校外.")


class DuplicateTeacherId(FindingType):
    code, severity = "duplicate-teacher-id", "error"
    fields = ("first_row",)
    effect = "cell"
    title = _t("工号重复", "Duplicate teacher ID")
    message = _t("工号「{value}」在名册中重复（第 {first_row} 行已出现）。",
                 "Teacher ID '{value}' already appears in row {first_row}.")
    hint = _t("每位教师只登记一行，工号唯一。", "One row per teacher; IDs must be unique.")


class UnknownMentor(FindingType):
    code, severity = "unknown-mentor", "warning"
    effect = "cell"
    title = _t("师傅工号不在名册中", "Unknown mentor")
    message = _t("师傅工号「{value}」不在教师名册中。", "Mentor ID '{value}' is not in the roster.")
    hint = _t("核对师傅工号。", "Check the mentor's ID.")
    variant_hints = {"padded": _PADDED_ID, "roster-unpadded": _UNPADDED_ROSTER_ID}


class SelfMentor(FindingType):
    code, severity = "self-mentor", "error"
    effect = "cell"
    title = _t("师傅是自己", "Teacher is own mentor")
    message = _t("工号 {value} 的师傅是其本人。", "Teacher {value} is listed as their own mentor.")
    hint = _t("填写另一位教师的工号作为师傅。", "Enter another teacher's ID as mentor.")


class DateOrder(FindingType):
    code, severity = "date-order", "error"
    fields = ("start_column", "start", "end_column", "end")
    effect = "cell"
    title = _t("日期先后颠倒", "Dates in the wrong order")
    message = _t("{end_column}（{end}）早于{start_column}（{start}）。",
                 "{end_column} ({end}) is before {start_column} ({start}).")
    hint = _t("检查两个日期是否填反。", "Check whether the two dates are swapped.")


class UnknownRuleId(FindingType):
    # An error that voids the whole exemption: read as blank, the cell would excuse the teacher from every rule.
    code, severity = "unknown-rule-id", "error"
    fields = ("rule_ids",)
    effect = "exemption-void"
    title = _t("规则编号不存在", "Unknown rule ID")
    message = _t("规则编号「{value}」在规则表中不存在。", "Rule ID '{value}' is not in the rules table.")
    hint = _t("填写规则表中的编号（{rule_ids}），或留空表示全部规则。",
              "Use an ID from the rules table ({rule_ids}), or leave it blank for all rules.")


class UnknownGroup(FindingType):
    """A 组别 that names no 教研组 or 备课组 of the roster: no group's count would see the meeting."""

    code, severity = "unknown-group", "error"
    fields = ("groups",)
    effect = "cell"
    title = _t("组别不在名册中", "Unknown group")
    message = _t("组别「{value}」不是「教师名册」中的教研组或备课组。",
                 "Group '{value}' is neither a 教研组 nor a 备课组 on the roster.")
    hint = _t("填写名册中的组名：{groups}。", "Use a group named on the roster: {groups}.")
    variant_hints = {"likely": _t("是不是「{suggest_value}」？请填写名册中的组名（{groups}）。",
                                  "Did you mean '{suggest_value}'? Use a group named on the roster ({groups}).")}


class UnknownCategory(FindingType):
    """A 类别 the 规则 sheet does not know: credited at the default rate, but no rule or cap that goes
    by category (R15 类别=外出培训, the 网络研修 cap) sees it as the category it probably is."""

    code, severity = "unknown-category", "warning"
    fields = ("categories",)
    effect = "cell"
    title = _t("类别不在学分换算中", "Unknown training category")
    message = _t("类别「{value}」不是「规则」表中的培训类别：按默认折算率计学分，但按类别的规则和上限（如外出培训天数、"
                 "网络研修上限）都不会把它算作其中任何一类。",
                 "Category '{value}' is not a training category of the 规则 sheet: it earns the default rate, but no "
                 "rule or cap that goes by category (days away, the 网络研修 cap) counts it as one.")
    hint = _t("填写这些类别之一：{categories}；确是新类别时，在「规则」表的学分换算中加上它。",
              "Use one of: {categories}; for a new category, add it to 学分换算 on the 规则 sheet.")
    variant_hints = {"likely": _t("是不是「{suggest_value}」？可选的类别：{categories}。",
                                  "Did you mean '{suggest_value}'? Categories: {categories}.")}


_KEEP_BOTH = _t("若确是同一次登记了两遍，删除多余的一行；若两次都真实发生，在两行的「{title_column}」中写明区别"
                "（如加「（上午）」「（下午）」），两行就都计入。",
                "If it was entered twice, delete the extra row; if both really happened, make their "
                "'{title_column}' differ (add 上午 / 下午, say) and both count.")


class LikelyDuplicate(FindingType):
    """Same teacher, same day, same 项目名称/课题/书刊名称 after normalising, other cells typed differently."""

    code, severity = "likely-duplicate", "error"
    fields = ("first_row", "title_column")
    effect = "cell"
    title = _t("疑似重复记录", "Likely duplicate")
    message = _t("与第 {first_row} 行似为同一次：同一教师、同一天、「{title_column}」相同。只按第 {first_row} 行计入一次。",
                 "Looks like the same entry as row {first_row}: same teacher, same day, same '{title_column}'. "
                 "Only row {first_row} is counted.")
    hint = _KEEP_BOTH


class LikelyDuplicateCounted(FindingType):
    """The row a likely duplicate was counted as: it counts, and says which rows it stands for."""

    code, severity = "likely-duplicate-counted", "warning"
    fields = ("other_rows", "title_column")
    effect = "cell"
    title = _t("疑似重复记录（已计入）", "Likely duplicate (counted)")
    message = _t("第 {other_rows} 行与本行似为同一次：同一教师、同一天、「{title_column}」相同。只计入本行。",
                 "Row {other_rows} looks like the same entry as this one: same teacher, same day, same "
                 "'{title_column}'. Only this row is counted.")
    hint = _KEEP_BOTH


class AttributeUnknown(FindingType):
    code, severity = "attribute-unknown", "warning"
    fields = ("name", "teacher_id", "attribute", "rules")
    title = _t("教师信息无法识别", "Teacher attribute unknown")
    message = _t("{name}（工号 {teacher_id}）的「{column}」无法识别，{attribute}未知：规则 {rules} 按不适用处理。",
                 "'{column}' of {name} (ID {teacher_id}) cannot be read, so the {attribute} is unknown: "
                 "rules {rules} treat this teacher as not applying.")
    hint = _t("在「教师名册」中改正「{column}」，该教师即按这些规则计算。",
              "Correct '{column}' on the roster and these rules apply to the teacher again.")


# -- policy sheet ------------------------------------------------------------------------------

class InvalidSetting(FindingType):
    code, severity = "invalid-setting", "error"
    fields = ("setting", "reason")
    title = _t("设置项无法识别", "Invalid setting")
    message = _t("设置「{setting}」的值「{value}」无法识别：{reason}", "Setting '{setting}' = '{value}': {reason}.")
    hint = _t("按说明填写；该设置改用默认值。", "Fix the value; the default is used meanwhile.")


class InvalidCalendarLine(FindingType):
    code, severity = "invalid-calendar-line", "error"
    fields = ("reason",)
    title = _t("校历行无法识别", "Invalid school-calendar line")
    message = _t("校历的「{column}」「{value}」无法识别：{reason}", "School calendar, '{column}' = '{value}': {reason}.")
    hint = _t("日期写成 2025-10-01（起止两格，或 2025-10-01~2025-10-08），类型写 放假、调休上班 或 学校停课；"
              "改正前此行不计入校历。",
              "Write dates as 2025-10-01 (start and end, or 2025-10-01~2025-10-08) and the type as 放假, 调休上班 "
              "or 学校停课; the line is left out of the calendar until then.")


class InvalidRule(FindingType):
    code, severity = "invalid-rule", "error"
    fields = ("rule_id", "rule_column", "reason")
    title = _t("规则无法解析", "Rule cannot be parsed")
    message = _t("规则 {rule_id} 的「{rule_column}」无法解析：「{value}」（{reason}）。",
                 "Rule {rule_id}, '{rule_column}' cannot be parsed: '{value}' ({reason}).")
    hint = _t("修正后该规则才会生效；当前本规则不参与计算。",
              "Fix it to enable the rule; it is skipped meanwhile.")


class RuleNotEvaluated(FindingType):
    code, severity = "rule-not-evaluated", "warning"
    fields = ("rule_id", "rule_name", "reason", "fix")
    title = _t("规则未计算", "Rule not evaluated")
    message = _t("规则 {rule_id}「{rule_name}」未计算：{reason}。",
                 "Rule {rule_id} ({rule_name}) was not evaluated: {reason}.")
    hint = _t("补上{fix}后重新计算；不需要这条规则时把它的「启用」改为「否」。",
              "Add {fix} and recalculate, or set the rule's 启用 to 否 if the school does not use it.")
    variant_hints = {"bound": _t(
        "本工作簿按「映射」读取：在「映射」中补上{fix}的对应（一张表用（整张表）一行，一列用列行或默认值行）后"
        "重新计算；不需要这条规则时把它的「启用」改为「否」。",
        "This book is read through 映射: map the school's own sheet or column to {fix} there (a （整张表） line for a "
        "sheet, a column or default line for a column) and recalculate, or set the rule's 启用 to 否.")}


class UnknownRuleValue(FindingType):
    """A value a rule's 条件 or 适用对象 tests that nothing in the book holds (`教研组=语文` when the roster
    says 语文组, `岗位 含 中层干部`): the rule silently matches no one for it."""

    code, severity = "unknown-rule-value", "warning"
    fields = ("rule_id", "rule_column", "what", "known")
    title = _t("规则中的取值不存在", "Rule names a value nobody has")
    message = _t("规则 {rule_id} 的「{rule_column}」写的「{value}」不是{what}：这一项不会匹配任何人或任何组。",
                 "Rule {rule_id}, '{rule_column}': '{value}' is not {what}, so it matches no one.")
    hint = _t("改为其中之一：{known}。", "Use one of: {known}.")
    variant_hints = {"likely": _t("是不是「{suggest_value}」？可选：{known}。",
                                  "Did you mean '{suggest_value}'? Choose from: {known}.")}


class RuleLogNotKept(FindingType):
    code, severity = "rule-log-not-kept", "info"
    fields = ("rule_id", "rule_name", "log")
    title = _t("本校不登记，规则不计算", "Log not kept, rule not evaluated")
    message = _t("规则 {rule_id}「{rule_name}」不计算：「映射」写明本校不登记「{log}」。",
                 "Rule {rule_id} ({rule_name}) is not evaluated: 映射 says the school does not keep {log}.")
    hint = _t("本校开始登记「{log}」时，删去「映射」中（本校不登记）那一行，再运行 cpdsheets bind 把登记表对应进来。",
              "When the school starts keeping {log}, delete the （本校不登记） line in 映射 and run cpdsheets bind "
              "to map the sheet.")


class NoSchoolYear(FindingType):
    code, severity = "no-school-year", "info"
    fields = ("start", "end")
    title = _t("未设置学年", "School year not set")
    message = _t("规则表未给出学年起止日期，按日期推断为 {start} 至 {end}。",
                 "The policy sheet gives no school year; assumed {start} to {end}.")
    hint = _t("在「规则」表的设置中填写学年开始和学年结束。", "Fill in 学年开始 and 学年结束 on the 规则 sheet.")

    @classmethod
    def for_year(cls, sheet: str, start: dt.date, end: dt.date) -> Finding:
        return cls.at(sheet, start=start.isoformat(), end=end.isoformat())


# -- binding (映射) -------------------------------------------------------------------------------

class InvalidMapping(FindingType):
    code, severity = "invalid-mapping", "error"
    fields = ("reason",)
    title = _t("映射无法识别", "Invalid mapping line")
    message = _t("「映射」表的这一行无法使用：{reason}", "This 映射 line cannot be used: {reason}.")
    hint = _t("按「映射」表的说明改正这一行；改正前这一行不起作用。",
              "Fix the line as the 映射 sheet explains; it has no effect meanwhile.")


class UnboundField(FindingType):
    code, severity = "unbound-field", "error"
    fields = ("field", "target", "candidates")
    effect = "sheet-left-out"
    title = _t("必填字段没有对应的列", "Required field not mapped")
    message = _t("「映射」中没有哪一列对应「{target}」的必填字段「{field}」。可选的列：{candidates}。",
                 "No column is mapped to '{field}', a required field of {target}. Candidate columns: {candidates}.")
    hint = _t("在「映射」表中把其中一列的「对应字段」填为「{field}」，或给「{field}」填一个默认值。",
              "In the 映射 sheet set one column's 对应字段 to '{field}', or give '{field}' a default value.")


class MappedHeaderMissing(FindingType):
    code, severity = "mapped-header-missing", "error"
    fields = ("headers",)
    title = _t("映射中的表头在工作表中找不到", "Mapped header not found")
    message = _t("「映射」写的表头「{value}」在本工作表的表头行中找不到（表头行有：{headers}）。",
                 "The 映射 header '{value}' is not in this sheet's header row (it has: {headers}).")
    hint = _t("把「映射」中的表头改成工作表里写的样子。", "Spell the 映射 header as the sheet does.")


class MappedSheetMissing(FindingType):
    code, severity = "mapped-sheet-missing", "error"
    fields = ()
    title = _t("映射中的工作表不存在", "Mapped sheet not found")
    message = _t("「映射」写的工作表「{value}」在工作簿中不存在。", "The 映射 sheet '{value}' is not in the workbook.")
    hint = _t("改正「映射」中的工作表名，或删去这些行。", "Correct the sheet name in 映射, or delete its lines.")


class InvalidMappingDefault(FindingType):
    """A value only 映射 gave (a default line's 类型, a 签到表's default 学时) that the checks refuse:
    one finding at its 映射 cell, for every row that takes it (``reason`` says what is wrong with it)."""

    code, severity = "invalid-mapping-default", "error"
    fields = ("school_sheet", "field", "reason", "outcome", "fix")
    title = _t("映射中的默认值有误", "Invalid default in 映射")
    message = _t("「映射」给工作表「{school_sheet}」的「{field}」填的默认值有误：{reason}{outcome}",
                 "The 映射 default of '{field}' for sheet '{school_sheet}' is wrong: {reason} {outcome}")
    hint = _t("{fix}在「映射」的这一格改正后重新校验。", "{fix} Correct it in this 映射 cell and validate again.")


class AmbiguousTeacherName(FindingType):
    code, severity = "ambiguous-teacher-name", "error"
    fields = ("teacher_ids",)
    effect = "cell"
    title = _t("同名教师无法区分", "Ambiguous teacher name")
    message = _t("名册中有不止一位「{value}」（工号 {teacher_ids}），无法确定是哪一位。",
                 "The roster has more than one '{value}' (IDs {teacher_ids}); which one is meant is unclear.")
    hint = _t("在此处填写工号，而不是姓名。", "Enter the teacher ID here instead of the name.")


class UnknownTeacherName(FindingType):
    code, severity = "unknown-teacher-name", "error"
    effect = "cell"
    title = _t("姓名不在名册中", "Name not in roster")
    message = _t("「{value}」既不是名册中的工号，也不是名册中教师的姓名。",
                 "'{value}' is neither a teacher ID nor a teacher's name in the roster.")
    hint = _t("核对姓名是否与「教师名册」一致，或填写工号。", "Check the name against the roster, or enter the ID.")


class GridSessionUnreadable(FindingType):
    code, severity = "grid-session-unreadable", "error"
    fields = ("reason",)
    title = _t("签到表的这一场无法读取", "Sign-in session unreadable")
    message = _t("签到表表头「{value}」这一场{reason}，本场各行不计入统计。",
                 "Sign-in session '{value}': {reason}; its rows are not counted.")
    hint = _t("在表头写明，如「2024.9.10 新课标解读 2学时」，或在「映射」中给「学时」填默认值。",
              "Write it in the header, e.g. '2024.9.10 新课标解读 2学时', or give 学时 a default in 映射.")


# A row left out of a sheet whose rows take days out (SheetSpec.exempts) excuses no one.
_EXEMPTION_SHEETS = frozenset(name for s in EXEMPTING_SHEETS for name in s.names)


def finding_codes() -> list[str]:
    return sorted(FindingType.registry)


@dataclass(slots=True)
class Finding:
    """One problem at one place. ``row`` is the 1-based sheet row, ``cell`` its A1 address.

    Built by its type (``MissingSheet.at(...)``, ``DuplicateRow.from_row(...)``), never from a code string:
    the type checks its template fields (tests/test_finding_types.py)."""

    code: str
    sheet: str = ""
    row: int | None = None
    cell: str = ""
    column: str = ""
    value: Any = ""
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None  # None: the catalogue's default
    drops_row: bool = True  # an error here leaves the row out; False: the cell is read as blank
    variant: str = ""  # a key of the type's ``variant_hints``: the likely fix a check found

    @property
    def type(self) -> type[FindingType]:
        return FindingType.registry[self.code]

    @property
    def level(self) -> Severity:
        return self.severity or self.type.severity

    def _fill(self, template: Text, lang: Lang) -> str:
        # No fallback for a missing field: ``FindingType.at`` requires every one, and
        # tests/test_finding_types.py checks each template against its type's ``fields``.
        return template.render(lang, **{"column": self.column, "value": _shown(self.value), "sheet": self.sheet,
                                        **self.params})

    @property
    def effect(self) -> str | None:
        """The ``EFFECTS`` key of this finding: decided here, from the type, severity and column."""
        kind = self.type.effect
        if kind == "column":
            return "sheet-left-out" if self.drops_row else "column-blank"
        if kind != "cell":
            return kind
        if self.row is None:
            return None
        if self.level == "error":
            if not self.drops_row:
                return "cell-blank"
            # A 豁免 row left out excuses no one: said so, rather than "not counted".
            return "exemption-void" if self.sheet in _EXEMPTION_SHEETS else "row-left-out"
        return "row-counts" if self.level == "warning" else None

    def statement(self, lang: Lang = "zh") -> str:
        """The message without what the finding does to the computation."""
        return self._fill(self.type.message, lang)

    def message(self, lang: Lang = "zh") -> str:
        text = self.statement(lang)
        effect = self.effect
        if effect is None:
            return text
        return WORDS.render("sentences", lang, first=text, second=EFFECTS[effect])

    def hint(self, lang: Lang = "zh") -> str:
        template = self.type.variant_hints.get(self.variant, self.type.hint)
        return self._fill(template, lang)

    def title(self, lang: Lang = "zh") -> str:
        return self.type.title[lang]

    @property
    def shown_value(self) -> str:
        """The value as the user typed it, as ``as_dict`` gives it (without rendering the texts)."""
        return _shown(self.value)

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.level,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "column": self.column,
            "value": _shown(self.value),
            "message": self.message(lang),
            "hint": self.hint(lang),
        }


def plain_number(x: Any, *, percent: bool = False) -> str:
    """A number as people write it: `5000`, `1.5`, `21%` (``percent``: a share), never `5e+03` or `0.212`."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "" if x is None else str(x)
    if x != x:
        return ""
    if percent:
        return plain_number(round(x * 100, 1 if abs(x) < 0.1 else 0)) + "%"
    x = round(x, 2)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0")


def _shown(value: Any) -> str:
    """The value as the user typed it, for messages: no ``nan``, no ``1001.0``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime):
        # Live Excel hands dates over as datetimes, files as dates: show both the same way.
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
