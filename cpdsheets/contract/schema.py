"""The workbook contract: which sheets exist, their columns, headers, aliases and types.

Chinese names are canonical (they are what schools type); English names are accepted aliases.
Code refers to columns by their English ``key`` only, so a header renamed in a school's
workbook never leaks into the engine.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .sheet_roles import CreditRule, ExemptSpan
from .texts import Text

NO_UNIT = Text("", "")  # a column no total is shown of

ColumnKind = Literal[
    "text",  # free text, kept as typed (trimmed)
    "teacher_id",  # 工号: text, "1001.0" -> "1001", leading zeros kept
    "date",
    "number",  # non-negative, units and full-width digits accepted
    "attendance",  # 出勤/迟到/请假/缺勤 and their marks
    "location",  # 校内/校外 and synonyms
    "roles",  # a list split on 、,，;；/ and spaces
    "choice",  # one of ``choices``
]


class ColumnSpec(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)  # Text

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: ColumnKind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    # A required value whose absence or error is reported, but the row still counts (a roster
    # teacher without a 姓名 is still a teacher); every other required column leaves the row out.
    row_counts_without: bool = False
    month_is_enough: bool = False  # date: `2010.9` / `2010年9月` is a full answer (the 1st of that month)
    number_words: bool = False  # number: counts typed in words, `两`, `十二`, `半天` (0.5)
    # number: the unit words that belong to this column (`2学时` in 学时); any other unit typed after
    # the number (`8人` in 学时) is read as the number but warned about. Empty: no unit is checked.
    units: tuple[str, ...] = ()
    # An optional column whose blank earns credit (考勤: blank is present) cannot read what it cannot
    # understand as blank: the row is left out until the cell says something the column knows.
    unreadable_drops_row: bool = False
    # The words the template's drop-down offers where people also type synonyms or their own (a category,
    # √ for 出勤, 本校): another word only warns. ``choices`` are the drop-down of a "choice" column.
    suggested: tuple[str, ...] = ()
    # number: what one unit of it is called when a total is shown: `学分`/`credits`
    shown_unit: Text = NO_UNIT
    # number: what the column measures, so a metric can name its default field by it (字数 sums the
    # sheet's "chars" column when a rule gives no 字段). Empty: nothing a metric defaults to.
    measures: str = ""
    # The roster's own 工号, each row's id: every other 工号 column (a log's teacher, 师傅工号) refers to it,
    # so the template offers the roster's ids there and not here.
    roster_id: bool = False
    # Its value names a teacher by 工号 or by name (授课教师): a condition may compare it with the row
    # teacher's mentor or apprentice (授课教师=师傅 / 授课教师=徒弟, engine.filters).
    names_teacher: bool = False
    wide: bool = False  # free text people write at length (a title, a reason): a wide template column

    @property
    def drops_row(self) -> bool:
        """An error in this column leaves the row out; elsewhere the cell is read as blank."""
        return (self.required and not self.row_counts_without) or self.unreadable_drops_row

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


SubjectKind = Literal["teacher", "group"]


class ArchiveColumn(BaseModel):
    """One column of a sheet's records in the 个人培训档案: the column keys whose values make the cell
    (several joined by " · ", or the first non-blank one when ``first_non_blank``), its headers and kind."""

    model_config = ConfigDict(frozen=True)

    keys: tuple[str, ...]
    zh: str
    en: str
    kind: Literal["text", "number", "int"] = "text"
    first_non_blank: bool = False


class SheetSpec(BaseModel):
    """Everything the tool knows about one sheet; every list of sheets is derived from these fields."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)  # Text

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    row_is: str = ""
    columns: tuple[ColumnSpec, ...]
    en: str = ""  # the sheet in English, where an English text names it
    # A book may lack it (a school that logs no exemptions): an info finding, not an error.
    optional: bool = False
    # The column of the date that must lie in the school year (and that infers the year); None: no such date.
    year_date: str | None = None
    subject: SubjectKind = "teacher"  # whom a row is about: a teacher (工号) or a 教研组/备课组
    counted: bool = False  # a rule may count it (its 数据表); 豁免 and the roster are not logs of work done
    # How its rows earn credits (engine.credits); None: they earn none. The credited sheets are the credit
    # ledger's sources, and the typed 学分 column is computed where blank.
    credit: CreditRule | None = None
    # Its rows take days out of a teacher's applicable days (engine.availability); None: they do not.
    exempts: ExemptSpan | None = None
    count_unit: Text = Text("项", "items")  # what one row is when a rule counts rows
    # The column naming what a row was: with the teacher and the day it identifies one session.
    title_column: str | None = None
    # More columns that tell two sessions apart beside teacher, day and title: the same 课题 taught by two
    # teachers (同课异构) is two lessons, so a likely duplicate must match in 授课教师 too.
    title_distinct_by: tuple[str, ...] = ()
    # The 个人培训档案 lists a teacher's counted rows with these columns (none: not listed) ...
    archive_columns: tuple[ArchiveColumn, ...] = ()
    # ... and each row's amount in the sheet's own unit: this column, or credits when ``credited``, else 1.
    archive_amount: str | None = None
    # The archive lists a teacher's rows of this sheet that were left out (and why).
    archive_left_out: bool = False
    # A sign-in grid (签到表: teachers down, sessions across) is read as rows of this sheet (cpdsheets bind).
    sign_in: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def credited(self) -> bool:
        return self.credit is not None

    @property
    def required(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def archive_records(self) -> bool:
        return bool(self.archive_columns)

    def measured(self, what: str) -> str | None:
        """The key of the column that measures ``what`` (ColumnSpec.measures), if the sheet has one."""
        return next((c.key for c in self.columns if what and c.measures == what), None)

    def column(self, key: str) -> ColumnSpec:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


def _col(key: str, header: str, *aliases: str, kind: ColumnKind = "text", required: bool = False,
         choices: tuple[str, ...] = (), help: str = "", units: tuple[str, ...] = (),
         shown_unit: Text = NO_UNIT, measures: str = "", suggested: tuple[str, ...] = (),
         **facts: bool) -> ColumnSpec:
    return ColumnSpec(
        key=key, header=header, aliases=tuple(aliases), kind=kind, required=required, choices=tuple(choices),
        help=help, units=units, shown_unit=shown_unit, measures=measures, suggested=suggested, **facts,
    )


def _shown(keys: str, zh: str, en: str, kind: Literal["text", "number", "int"] = "text",
           first_non_blank: bool = False) -> ArchiveColumn:
    return ArchiveColumn(keys=tuple(keys.split()), zh=zh, en=en, kind=kind, first_non_blank=first_non_blank)


# The unit words of each kind of quantity (lower case), as `normalize.number_unit` reports them.
HOUR_UNITS = ("学时", "课时", "个课时", "小时", "节", "节课", "h", "hr", "hrs", "hour", "hours")
DAY_UNITS = ("天", "日", "day", "days")
CHAR_UNITS = ("字", "千字")
CREDIT_UNITS = ("学分", "分")
CREDITS_SHOWN = Text("学分", "credits")
HOURS_SHOWN = Text("学时", "hours")
DAYS_SHOWN = Text("天", "days")
CHARS_SHOWN = Text("字", "characters")
PERSON_UNITS = ("人", "个人", "名")


LEVELS = ("校级", "区级", "市级", "省级", "国家级")
ATTENDANCE = ("出勤", "迟到", "请假", "缺勤")
NO_CREDIT_ATTENDANCE = ("缺勤", "请假")  # a blank 考勤 is present, and 迟到 attended
OUTPUT_CATEGORY = "成果"  # the credit category of 成果记录 rows
LOCATIONS = ("校内", "校外")
ROLES = ("班主任", "中层", "骨干", "新教师", "学科带头人")
LESSON_TYPES = ("推门课", "公开课", "示范课", "研讨课", "师徒课")
READING_TYPES = ("必读书目", "专业书籍", "教育刊物", "读书导研单", "读书笔记")
OUTPUT_TYPES = ("公开课", "示范课", "汇报课", "讲座", "论文", "教育随笔", "课题")
ACTIVITY_TYPES = ("集体备课", "主题教研", "跨学科", "跨学段", "跨校", "数字化教研")
TRAINING_CATEGORIES = ("通识培训", "专业培训", "校本研修", "网络研修", "外出培训", "师德培训")

TEACHERS = SheetSpec(
    key="teachers", name="教师名册", aliases=("Teachers",), row_is="一位教师", en="Teachers",
    columns=(
        _col("teacher_id", "工号", "教师工号", "Teacher ID", "ID", kind="teacher_id", required=True,
             help="教师工号，按文本填写，可保留前导零", roster_id=True),
        _col("name", "姓名", "教师姓名", "Name", required=True, row_counts_without=True),
        _col("gender", "性别", "Gender"),
        _col("birth_date", "出生日期", "Birth date", "Birthday", kind="date", month_is_enough=True),
        _col("work_start", "参加工作时间", "参加工作日期", "Work start", kind="date", month_is_enough=True),
        _col("teaching_group", "教研组", "Teaching group", "Group"),
        _col("lesson_group", "备课组", "Lesson group"),
        _col("roles", "岗位", "职务", "Roles", kind="roles",
             help="可填多个，用顿号分隔：班主任、中层、骨干、新教师、学科带头人"),
        _col("mentor_id", "师傅工号", "导师工号", "Mentor ID", kind="teacher_id"),
        _col("join_date", "入校日期", "Join date", kind="date", month_is_enough=True),
        _col("leave_date", "离校日期", "Leave date", kind="date", month_is_enough=True),
    ),
)

TRAININGS = SheetSpec(
    key="trainings", name="培训记录", aliases=("Trainings",), row_is="一位教师参加一次培训", en="Trainings",
    year_date="date", counted=True, count_unit=Text("次", "sessions"), title_column="title",
    credit=CreditRule(hours="hours", rate_by="category", void_column="attendance", void_values=NO_CREDIT_ATTENDANCE,
                      category_column="category", ledger_needs=("level", "hours")),
    sign_in=True,
    archive_columns=(
        _shown("title", "项目名称", "Training"),
        _shown("category level attendance", "类别 · 级别 · 考勤", "Category · level · attendance"),
        _shown("hours", "学时", "Hours", "number"), _shown("_credits", "学分", "Credits", "number"),
    ),
    archive_left_out=True,
    columns=(
        _col("date", "日期", "培训日期", "Date", kind="date", required=True),
        _col("teacher_id", "工号", "教师工号", "Teacher ID", kind="teacher_id", required=True),
        _col("name", "姓名", "Name"),
        _col("title", "项目名称", "培训项目", "培训内容", "Title", "Project", required=True, wide=True),
        _col("category", "类别", "培训类别", "Category", required=True,
             help="如：通识培训、专业培训、校本研修、网络研修、外出培训、师德培训", suggested=TRAINING_CATEGORIES),
        _col("level", "级别", "Level", kind="choice", choices=LEVELS),
        _col("hours", "学时", "Hours", kind="number", required=True, units=HOUR_UNITS, shown_unit=HOURS_SHOWN),
        _col("attendance", "考勤", "出勤情况", "Attendance", kind="attendance", unreadable_drops_row=True,
             suggested=ATTENDANCE),
        _col("credits", "学分", "Credits", kind="number", help="留空则按学时和类别折算", units=CREDIT_UNITS,
             shown_unit=CREDITS_SHOWN),
        _col("days", "天数", "外出天数", "Days", kind="number", number_words=True, units=DAY_UNITS,
             shown_unit=DAYS_SHOWN),
    ),
)

OBSERVATIONS = SheetSpec(
    key="observations", name="听课记录", aliases=("Observations",), row_is="听一节课", en="Observations",
    year_date="date", counted=True, count_unit=Text("节", "lessons"), title_column="topic",
    title_distinct_by=("taught_by",),
    archive_columns=(
        _shown("topic taught_by", "课题", "Topic", first_non_blank=True),
        _shown("taught_by location lesson_type", "授课教师 · 地点 · 课型", "Taught by · where · type"),
        _shown("comment_chars", "评课字数", "Comment chars", "int"),
    ),
    archive_left_out=True,
    columns=(
        _col("date", "日期", "听课日期", "Date", kind="date", required=True),
        _col("teacher_id", "听课人工号", "Observer ID", kind="teacher_id", required=True),
        _col("name", "听课人", "Observer"),
        _col("taught_by", "授课教师", "执教教师", "Teacher", "Taught by", required=True,
             help="填姓名或工号", names_teacher=True),
        _col("subject", "学科", "Subject"),
        _col("topic", "课题", "Topic", wide=True),
        _col("lesson_type", "课型", "Lesson type", kind="choice", choices=LESSON_TYPES),
        _col("location", "地点", "听课地点", "Location", kind="location", required=True, suggested=LOCATIONS),
        _col("comment_chars", "评课字数", "Comment chars", kind="number", units=CHAR_UNITS, shown_unit=CHARS_SHOWN,
             measures="chars"),
    ),
)

READING = SheetSpec(
    key="reading", name="读书记录", aliases=("Reading",), row_is="读一本书刊或一份读书导研单", en="Reading",
    year_date="date", counted=True, title_column="title",
    archive_columns=(
        _shown("title", "书刊名称", "Title"), _shown("type", "类型", "Type"), _shown("chars", "字数", "Characters", "int"),
    ),
    archive_amount="chars", archive_left_out=True,
    columns=(
        _col("teacher_id", "工号", "教师工号", "Teacher ID", kind="teacher_id", required=True),
        _col("date", "日期", "Date", kind="date", required=True),
        _col("title", "书刊名称", "书名", "Title", required=True, wide=True),
        _col("type", "类型", "Type", kind="choice", required=True, choices=READING_TYPES),
        _col("chars", "字数", "Chars", "Characters", kind="number", units=CHAR_UNITS, shown_unit=CHARS_SHOWN,
             measures="chars"),
    ),
)

OUTPUTS = SheetSpec(
    key="outputs", name="成果记录", aliases=("Outputs",), row_is="一项成果（上课、讲座、论文等）", en="Outputs",
    year_date="date", counted=True, title_column="title",
    credit=CreditRule(table_by=("type", "level"), category=OUTPUT_CATEGORY),
    archive_columns=(
        _shown("title type", "题目", "Title", first_non_blank=True),
        _shown("type level award", "类型 · 级别 · 获奖", "Type · level · award"),
        _shown("_credits", "学分", "Credits", "number"),
    ),
    archive_left_out=True,
    columns=(
        _col("teacher_id", "工号", "教师工号", "Teacher ID", kind="teacher_id", required=True),
        _col("date", "日期", "Date", kind="date", required=True),
        _col("type", "类型", "Type", kind="choice", required=True, choices=OUTPUT_TYPES),
        _col("level", "级别", "Level", kind="choice", choices=LEVELS),
        _col("title", "题目", "Title", wide=True),
        _col("award", "获奖", "Award", wide=True),
        _col("credits", "学分", "Credits", kind="number", units=CREDIT_UNITS, shown_unit=CREDITS_SHOWN),
    ),
)

ACTIVITIES = SheetSpec(
    key="activities", name="教研活动", aliases=("GroupActivities", "Group activities"),
    row_is="一次教研组或备课组活动", en="Group activities", optional=True, year_date="date", subject="group",
    counted=True, count_unit=Text("次", "meetings"),
    columns=(
        _col("date", "日期", "Date", kind="date", required=True),
        _col("group", "组别", "Group", required=True, help="教研组或备课组名称"),
        _col("type", "类型", "Type", kind="choice", required=True, choices=ACTIVITY_TYPES),
        _col("speaker", "主讲人", "Speaker"),
        _col("attendees", "人数", "Attendees", kind="number", number_words=True, units=PERSON_UNITS),
    ),
)

EXEMPTIONS = SheetSpec(
    key="exemptions", name="豁免", aliases=("Exemptions",), row_is="一位教师在一段时间内免于某条规则",
    en="Exemptions", optional=True, archive_left_out=True, exempts=ExemptSpan(start="start", end="end", rule="rule_id"),
    columns=(
        _col("teacher_id", "工号", "Teacher ID", kind="teacher_id", required=True),
        _col("rule_id", "规则编号", "Rule ID", help="留空表示全部规则"),
        _col("start", "开始日期", "Start", kind="date", required=True),
        _col("end", "结束日期", "End", kind="date", required=True),
        _col("reason", "原因", "Reason", wide=True),
    ),
)

LOG_SHEETS: tuple[SheetSpec, ...] = (TRAININGS, OBSERVATIONS, READING, OUTPUTS, ACTIVITIES, EXEMPTIONS)
DATA_SHEETS: tuple[SheetSpec, ...] = (TEACHERS, *LOG_SHEETS)
SHEETS: dict[str, SheetSpec] = {s.key: s for s in DATA_SHEETS}

# Every list below is read off the specs above: a new sheet is one SheetSpec.
# The sheets a rule may count (its 数据表). 豁免 excuses teachers from rules; it is not a log of work done,
# so a rule over it is refused when the 规则 sheet is read, and the computation builds exactly these.
COUNTED_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in DATA_SHEETS if s.counted)
REQUIRED_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in DATA_SHEETS if not s.optional)
OPTIONAL_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in DATA_SHEETS if s.optional)
YEAR_DATED_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in DATA_SHEETS if s.year_date)  # dates in the school year
CREDITED_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in DATA_SHEETS if s.credited)  # the credit ledger's sources
RECORD_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in DATA_SHEETS if s.archive_records)  # listed in the archive
LEFT_OUT_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in DATA_SHEETS if s.archive_left_out)
SIGN_IN_SHEET: SheetSpec = next(s for s in DATA_SHEETS if s.sign_in)  # what a sign-in grid's rows are
# Credit categories a credited sheet fixes (成果), shown after the categories rows name.
FIXED_CREDIT_CATEGORIES: tuple[str, ...] = tuple(s.credit.category for s in CREDITED_SHEETS
                                                 if s.credit is not None and s.credit.category)
EXEMPTING_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in DATA_SHEETS if s.exempts)  # days out of a teacher's duty

# The credit ledger: a virtual sheet a rule may name as its 数据表 (学分), one row per counted row of a
# credited sheet with the credits it earned, so a rule can total credits across them with the category
# caps applied (engine.credits builds it). Not in the workbook, so not in SHEETS.
CREDIT_LEDGER = SheetSpec(
    key="credits", name="学分", aliases=("学分汇总", "学分明细", "Credits"), en="Credits", counted=True,
    columns=(
        _col("credits", "学分", "credits", kind="number", shown_unit=CREDITS_SHOWN, measures="credits"),
        _col("category", "类别", "category"),
        _col("level", "级别", "level"),
        _col("source", "来源", "source"),
        _col("hours", "学时", "hours", kind="number", shown_unit=HOURS_SHOWN),
    ),
)

POLICY_SHEET_NAMES = ("规则", "Policy")

# Output tabs belong to the add-in: replaced whole on every run, nothing else is touched.
OUTPUT_TABS: dict[str, tuple[str, str]] = {
    "summary": ("学分汇总", "Summary"),
    "alerts": ("达标预警", "Alerts"),
    "issues": ("校验问题", "Issues"),
    "groups": ("教研组统计", "Groups"),
    "runlog": ("运行记录", "RunLog"),
}
