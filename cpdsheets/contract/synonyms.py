"""The words schools use for the contract's sheets and columns, so `cpdsheets bind` can recognise a book
it has never seen: `教职工名单` is the roster, `执教教师` is 授课教师, `参加工作年月` is 参加工作时间.

Two catalogues, read by the recogniser (``engine/binding/recognise``) and printed in the README:

- ``SHEET_WORDS``: words a sheet's NAME carries for each contract sheet (a sheet is recognised by its
  header row first; its name only adds weight);
- ``HEADER_SYNONYMS``: per contract sheet and column, the headers schools type for it, beyond the
  contract's own header and aliases (``schema.py``), which always match first and most strongly.

A sheet's rows are one person's (an observer, a reader, an author) more often by NAME than by 工号:
``PERSON_WORDS`` are the headers of that name column. It is the ``name`` column where the sheet also has
a 工号 column, and otherwise the teacher itself (``teacher_id``, names matched to the roster).

Headers are compared after ``engine.normalize.header_key`` (NFKC, no spaces, no `*`/`(必填)` marks).
"""

from __future__ import annotations

from .schema import SHEETS

SHEET_WORDS: dict[str, tuple[str, ...]] = {
    "teachers": ("教师名册", "教职工名单", "教师名单", "花名册", "教职工信息", "教师信息", "教职工名册",
                 "人员名单", "教师基本情况", "教师基本信息", "名册", "名单"),
    "trainings": ("培训记录", "培训登记", "签到表", "考勤表", "签到", "考勤", "培训", "研修", "继续教育",
                  "学时登记"),
    "observations": ("听课记录", "听课登记", "听课表", "听评课", "听课", "评课"),
    "reading": ("读书记录", "读书笔记", "导研单", "读书", "阅读", "书目"),
    "outputs": ("成果记录", "成果", "获奖", "论文", "公开课登记", "公开课", "讲座", "课题"),
    "activities": ("教研活动", "集体备课", "备课组活动", "教研组活动", "教研", "备课"),
    "exemptions": ("豁免", "请假", "免考核", "免于考核", "病假", "产假", "借调"),
}

# A sheet whose name carries one of these is read first as a sign-in grid (one column per session).
GRID_SHEET_WORDS: tuple[str, ...] = ("签到表", "考勤表", "签到", "考勤", "点名")

# The person a row belongs to, by name (see the module's docstring). The roster has no such column:
# its 姓名 is always the teacher's name.
PERSON_WORDS: dict[str, tuple[str, ...]] = {
    "trainings": ("姓名", "教师姓名", "教师", "参训教师", "参训人", "参训人员", "参加人", "参加教师"),
    "observations": ("听课教师", "听课人", "听课者", "听课教师姓名", "听课人姓名", "姓名", "教师姓名", "听课老师"),
    "reading": ("读者", "阅读人", "阅读者", "教师", "姓名", "教师姓名"),
    "outputs": ("教师", "姓名", "教师姓名", "作者", "获奖教师", "获奖人", "执教教师", "主讲人"),
    "exemptions": ("姓名", "教师", "教师姓名", "请假人", "请假教师"),
}

HEADER_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "teachers": {
        "teacher_id": ("职工号", "教职工号", "教工号", "教师编号", "人员编号", "编号"),
        "name": ("教职工姓名", "名字", "教师"),
        "gender": ("性别",),
        "birth_date": ("出生年月", "出生日期", "出生年月日", "出生时间", "生日"),
        "work_start": ("参加工作年月", "参加工作时间", "参工时间", "工作时间", "入职时间", "入职日期", "工作年月",
                       "从教时间"),
        "teaching_group": ("学科组", "所在教研组", "任教学科", "学科"),
        "lesson_group": ("所在备课组", "年级组"),
        "roles": ("岗位职务", "担任职务", "兼职"),
        "mentor_id": ("师傅", "带教师傅", "结对师傅", "指导教师", "指导老师", "导师", "师傅姓名"),  # names
        "join_date": ("入校时间", "调入时间", "调入日期", "来校时间", "到校时间"),
        "leave_date": ("离校时间", "调出时间", "调离时间", "离职时间"),
    },
    "trainings": {
        "date": ("培训时间", "参训日期", "时间"),
        "teacher_id": ("职工号", "编号"),
        "title": ("培训主题", "培训名称", "课程名称", "项目", "内容", "主题", "课程"),
        "category": ("培训类型", "培训形式", "类型"),
        "level": ("培训级别", "层级"),
        "hours": ("课时", "时长", "培训学时", "学时数", "小时数"),
        "attendance": ("出勤", "签到", "到会情况", "签名", "签字", "本人签名", "教师签名", "签到签名", "签到情况", "到会"),
        "days": ("培训天数",),
    },
    "observations": {
        "date": ("听课时间", "时间"),
        "teacher_id": ("工号", "听课教师工号"),
        "taught_by": ("授课人", "执教者", "上课教师", "执教人", "执教", "授课者", "上课人", "执教老师", "授课老师",
                      "上课老师"),
        "subject": ("科目", "执教学科"),
        "topic": ("课名", "课题名称", "教学内容", "课文"),
        "lesson_type": ("课的类型", "听课类型"),
        "location": ("校内外", "听课场所"),
        "comment_chars": ("笔记字数", "听课笔记字数", "评课记录字数", "字数"),
    },
    "reading": {
        "date": ("阅读日期", "完成日期", "读完日期", "阅读时间", "时间"),
        "title": ("书目", "篇名", "读物名称", "书籍名称", "文章名称", "名称"),
        "type": ("读物类型", "阅读类型", "类别"),
        "chars": ("笔记字数", "心得字数", "读书笔记字数"),
    },
    "outputs": {
        "date": ("获奖时间", "获奖日期", "发表时间", "开课日期", "时间"),
        "type": ("成果类型", "类别", "形式"),
        "level": ("获奖级别",),
        "title": ("名称", "成果名称", "论文题目", "课题", "课题名称", "篇名", "标题"),
        "award": ("获奖情况", "奖项", "获奖等次", "等次", "等级"),
    },
    "activities": {
        "date": ("活动日期", "活动时间", "时间"),
        "group": ("教研组", "备课组", "学科组", "年级组", "组名"),
        "type": ("活动类型", "活动形式", "形式"),
        "speaker": ("主讲", "中心发言人", "主持人", "主备人"),
        "attendees": ("参加人数", "出席人数", "参与人数", "到会人数"),
    },
    "exemptions": {
        "rule_id": ("豁免规则", "免考核项目", "规则"),
        "start": ("开始时间", "起始日期", "起始时间"),
        "end": ("结束时间", "截止日期", "终止日期"),
        "reason": ("事由", "请假原因", "豁免原因"),
    },
}

def holds_names(target: str, field: str, header: str) -> bool:
    """Whether a header mapped to a 工号 field names people rather than their 工号 (听课教师, 师傅): its
    cells are matched to the roster by name."""
    header = header.strip()
    if field == "teacher_id":
        return header in PERSON_WORDS.get(target, ())
    return target == "teachers" and field == "mentor_id" and header in HEADER_SYNONYMS["teachers"]["mentor_id"]


# The labels of a sign-in grid's stacked header rows (日期 / 项目 / 学时 above the session columns).
GRID_ROW_LABELS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "培训日期", "时间", "培训时间"),
    "title": ("项目", "培训项目", "项目名称", "培训内容", "内容", "主题", "培训主题"),
    "hours": ("学时", "课时", "时长", "学时数"),
}


def contract_words(target: str, field: str) -> tuple[str, ...]:
    """The contract's own header and aliases for a column: the strongest synonyms."""
    return SHEETS[target].column(field).names


def field_words(target: str, field: str) -> tuple[str, ...]:
    """Every header that names ``field`` of ``target``: the contract's first, then the catalogue's."""
    words = contract_words(target, field) + HEADER_SYNONYMS.get(target, {}).get(field, ())
    return tuple(dict.fromkeys(words))


def catalogue_rows() -> list[tuple[str, str, str, str]]:
    """(登记表, 表名常见用词, 字段, 表头同义词) for the README's table, contract sheet by sheet."""
    rows: list[tuple[str, str, str, str]] = []
    for key, spec in SHEETS.items():
        sheet_words = "、".join(SHEET_WORDS[key])
        for col in spec.columns:
            words = field_words(key, col.key)
            if col.key in ("teacher_id", "name") and key in PERSON_WORDS:
                person = "、".join(PERSON_WORDS[key])
                note = "（有工号列时）" if col.key == "name" else "（无工号列时，按姓名对应名册）"
                words = words + (f"{person}{note}",)
            rows.append((spec.name, sheet_words, col.header, "、".join(words)))
            sheet_words = ""
    return rows
