"""The words of the master workbook: the 说明 sheet, the 控制台 labels, header help.

Chinese first; English when a school asks for ``lang="en"``.
"""

from __future__ import annotations

from ...contract.schema import ColumnSpec
from ...contract.texts import Text

GUIDE_TITLE = {"zh": "校本培训学分与达标登记表 · 使用说明", "en": "School-based training workbook · How to use it"}

GUIDE = {
    "zh": [
        ("这本工作簿是什么", [
            "本校一个学年的校本培训（校本研修）总台账：教师在各登记表中逐行登记培训、听课、读书、成果和教研活动，",
            "教科室点击「控制台」上的按钮，即可校验所有登记、计算每位教师的学分和达标情况，并把汇总表写回本工作簿。",
        ]),
        ("先做这三件事", [
            "1. 在「规则」表的设置中填写学校名称、学年和两个学期的起止日期；统计截止日留空表示按今天统计。",
            "   「规则」表的校历已按国务院公布的放假安排填好（放假、调休上班），学校自己的停课日（运动会等）可添加一行。",
            "2. 在「教师名册」中每位教师登记一行：工号唯一（按文本填写，可保留前导零）；岗位可填多个，用顿号分隔。",
            "3. 新教师在「师傅工号」中填写师傅的工号；学期中途入校或离校的教师填写入校日期或离校日期。",
        ]),
        ("怎样登记", [
            "· 每张登记表第 2 行是表头，从第 3 行开始一行登记一条记录；列的顺序可以调整，可以增加自己的列。",
            "· 表头带批注的列，把鼠标移到表头上即可看到填写说明；带下拉箭头的单元格请从列表中选择。",
            "· 日期请填写真正的日期，如 2025-09-03 或 2025年9月3日；学时、字数等填写数字，不能为负数。",
            "· 培训记录：一位教师参加一次培训登记一行；学分可留空，系统按学时和类别折算；外出培训填写天数。",
            "· 听课记录：一节课一行；授课教师填写姓名或工号；听外校的课，地点填「校外」。",
            "· 读书记录：读完一本书刊、交一份读书导研单或读书笔记各登记一行；写了笔记的在字数列填写笔记字数（每一行的字数都计入年度读书笔记字数）。",
            "· 教研活动：一次教研组或备课组活动一行，组别与名册中的教研组、备课组名称一致。",
            "· 豁免：产假、病假、外派等期间免于考核的教师登记在此；规则编号留空表示全部规则。",
        ]),
        ("按钮的作用（控制台）", [
            "· 校验：检查所有登记表，问题单元格标色并加批注，问题清单写入「校验问题」表。",
            "· 重新计算：校验后计算学分和达标情况，生成「学分汇总」「达标预警」「教研组统计」表。",
            "· 清除标记：去掉校验留下的颜色和批注，登记内容不变。",
            "· 个人档案：为每位教师生成可打印的个人培训档案和全校概览，另存为总表旁边的新文件。",
            "这些汇总表由程序生成，每次运行整表替换，请不要在其中手工填写。",
        ]),
        ("没有 Excel 时", [
            "使用 WPS 或 LibreOffice 的学校，在命令行运行：cpdsheets validate 本文件.xlsm（校验）",
            "或 cpdsheets recalc 本文件.xlsm（重新计算），结果同样写回本工作簿。",
        ]),
        ("新学年", [
            "运行 cpdsheets new 新文件.xlsm --year 2026-2027 生成新学年的空白台账，把教师名册复制过去即可。",
        ]),
    ],
    "en": [
        ("What this workbook is", [
            "The school's master record of school-based teacher training for one school year. Teachers log",
            "trainings, lessons observed, reading, outputs and group meetings row by row; the coordinator clicks a",
            "button on the control sheet to validate every log, compute each teacher's credits and quota status,",
            "and write the summary tabs back into this workbook.",
        ]),
        ("First steps", [
            "1. On the 规则 (Policy) sheet fill in the school name, the school year and both semesters;",
            "   leave 统计截止日 (as-of date) blank to count up to today. The 校历 (school calendar) on the same",
            "   sheet holds the national holidays and 调休 workdays; add a line for each closure of the school's own.",
            "2. In 教师名册 (Teachers) enter one row per teacher: a unique ID (text, leading zeros kept);",
            "   several roles may be listed, separated by 、",
            "3. For a new teacher, fill in the mentor's ID; for joiners or leavers, the join or leave date.",
        ]),
        ("How to log", [
            "· Row 2 of every log sheet is the header; records start in row 3. Columns may be reordered or added.",
            "· Hover over a header to see its help; cells with a drop-down arrow take a value from the list.",
            "· Dates must be real dates such as 2025-09-03; hours and characters are numbers, never negative.",
            "· Trainings: one row per teacher per session; credits may be left blank (computed from hours).",
            "· Observations: one row per lesson; the teacher observed by name or ID; 校外 for another school.",
            "· Exemptions: maternity, sick leave or secondment; a blank rule ID exempts from every rule.",
        ]),
        ("The buttons (control sheet)", [
            "· 校验 Validate: checks every log, marks bad cells, lists the problems on 校验问题 (Issues).",
            "· 重新计算 Recalculate: computes credits and quotas into 学分汇总, 达标预警 and 教研组统计.",
            "· 清除标记 Clear marks: removes the marks left by validation; the data is unchanged.",
            "· 个人档案 Archive: each teacher's printable training record, in a new file beside this workbook.",
            "The summary tabs are replaced whole on every run: do not type into them.",
        ]),
        ("Without Excel", [
            "With WPS or LibreOffice run: cpdsheets validate this.xlsm, or cpdsheets recalc this.xlsm.",
        ]),
        ("A new school year", [
            "Run cpdsheets new next.xlsm --year 2026-2027 and copy the roster across.",
        ]),
    ],
}

CONSOLE_TITLE = {"zh": "控制台", "en": "Control panel"}
CONSOLE_INTRO = {
    "zh": "点击按钮运行（需要 Excel 并启用宏；WPS / LibreOffice 请使用命令行 cpdsheets）。",
    "en": "Click a button (Excel with macros enabled; with WPS or LibreOffice use the cpdsheets command line).",
}

# (macro, caption zh, caption en, description zh, description en)
BUTTONS = (
    ("Validate", "校验", "Validate",
     "检查所有登记表，标出有问题的单元格，问题清单写入「校验问题」表。",
     "Check every log sheet, mark bad cells, list the problems on 校验问题."),
    ("Recalculate", "重新计算", "Recalculate",
     "校验并计算学分与达标情况，生成「学分汇总」「达标预警」「教研组统计」表。",
     "Validate, then compute credits and quotas into the summary tabs."),
    ("ClearMarks", "清除标记", "Clear marks",
     "清除校验留下的颜色和批注，登记内容不变。",
     "Remove the colours and notes left by validation; data unchanged."),
    ("Archive", "个人档案", "Archive",
     "为每位教师生成可打印的个人培训档案（含全校概览），另存为总表旁边的新文件，总表不变。",
     "Each teacher's printable training record and a school overview, in a new file beside this workbook."),
)

# The district service (cpdsheets serve), on the control sheet below the buttons: xlmacros/CpdSheets.bas
# reads the values beside the first two labels (column B label, column C value; either language).
CONSOLE_SERVER = {"zh": "服务器地址", "en": "Server address"}
CONSOLE_TOKEN = {"zh": "学校令牌", "en": "School token"}
CONSOLE_ONLINE = {"zh": "在线校验", "en": "Check online"}
CONSOLE_SERVICE_NOTE = {
    "zh": "填了服务器地址和学校令牌时，四个按钮把总表发送到区里的服务计算，本机不需要 Python；令牌由区里用 "
          "cpdsheets accounts token 生成。连不上服务时按钮改用本机 Python。",
    "en": "With a server address and a school token, the four buttons send the book to the district service "
          "and this PC needs no Python; the district makes the token with cpdsheets accounts token. When the "
          "service cannot be reached the buttons use local Python.",
}
CONSOLE_ONLINE_NOTE = {
    "zh": "WPS / LibreOffice 用户：点左边的「在线校验」，在浏览器中上传本总表，结果与按钮相同。",
    "en": "WPS / LibreOffice users: click Check online on the left and upload this book in the browser; the "
          "result is the buttons' result.",
}


def service_rows(server: str, lang: str) -> list[tuple[str, str, bool]]:
    """The control sheet's rows for the service, below the buttons: (column B, column C, B is a link
    to the service's upload page). The 在线校验 link only when the service's address is known."""
    rows = [(CONSOLE_SERVER[lang], server, False), (CONSOLE_TOKEN[lang], "", False)]
    if server:
        rows.append((CONSOLE_ONLINE[lang], CONSOLE_ONLINE_NOTE[lang], True))
    rows.append(("", CONSOLE_SERVICE_NOTE[lang], False))
    return rows


def upload_page(server: str) -> str:
    """The service's upload page (``cpdsheets serve`` shows it at its root)."""
    return server.rstrip("/") + "/"


def check_server(server: str) -> str:
    """The address as given, trimmed; ValueError for one that is not http(s)://host[...]."""
    from urllib.parse import urlsplit

    server = server.strip().rstrip("/")
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch in server for ch in ' "<>\n'):
        raise ValueError(server)
    return server


_KIND_HELP = {
    "zh": {
        "teacher_id": "填写名册中的工号（按文本）",
        "date": "填写日期，如 2025-09-03",
        "number": "填写数字，不能为负数",
        "attendance": "出勤 / 迟到 / 请假 / 缺勤",
        "location": "校内或校外",
        "roles": "可填多个，用顿号分隔",
    },
    "en": {
        "teacher_id": "an ID from the roster (as text)",
        "date": "a date such as 2025-09-03",
        "number": "a number, not negative",
        "attendance": "present / late / leave / absent",
        "location": "校内 (in school) or 校外 (elsewhere)",
        "roles": "several allowed, separated by 、",
    },
}


def column_help(column: ColumnSpec, lang: str = "zh") -> str:
    """The header comment: required or not, what to type, the accepted choices."""
    en = lang == "en"
    parts = [("Required. " if en else "必填。") if column.required else ("Optional. " if en else "选填。")]
    if column.help and not en:
        parts.append(column.help)
    elif column.kind in _KIND_HELP[lang]:
        parts.append(_KIND_HELP[lang][column.kind])
    if column.choices:
        parts.append(("Choices: " if en else "可选：") + "、".join(column.choices))
    english = next((a for a in column.aliases if a.isascii()), "")
    if english and not en:
        parts.append(f"（英文表头：{english}）")
    return "".join(p if p.endswith(("。", ".", "）", " ")) else p + ("。" if not en else ". ") for p in parts).strip()


# What `cpdsheets new` prints under the file it wrote: what to do next, in the order a coordinator does
# it. ``{book}`` is the file as typed at the prompt.
# Printed by `new` after the next steps when the year's holiday schedule is not announced yet.
CALENDAR_NOT_ANNOUNCED = Text(
    "注意：{year}学年的放假安排国务院尚未公布，「规则」表校历中的节假日按农历推算（春节为除夕至初七），未列调休上班日；"
    "公布后请核对。",
    "Note: the State Council has not announced the {year} holidays yet; the 校历 on 规则 has them from the lunar "
    "calendar (the Spring Festival from its eve to the 7th day) and no 调休 workdays; check it once announced.",
)

NEXT_STEPS = Text(
    "已写入 {book}\n"
    "接下来：\n"
    "  1. 打开它，在「规则」表的设置中填写学校名称、学年和两个学期的起止日期（统计截止日留空表示按今天统计）；"
    "校历已按国家放假安排填好，学校自己的停课日可添加一行。\n"
    "  2. 在「教师名册」中每位教师登记一行：工号、姓名、教研组、备课组、岗位，新教师填师傅工号。\n"
    "  3. 教师在「培训记录」「听课记录」「读书记录」「成果记录」「教研活动」中逐行登记；「说明」表有填写要求。\n"
    "  4. {buttons}\n"
    "       cpdsheets validate {book}\n"
    "       cpdsheets recalc {book}\n"
    "  5. 期末为每位教师打印个人培训档案：cpdsheets archive {book}\n"
    "学校已有自己的登记表？不必改抄：cpdsheets bind 学校.xlsx 直接读取它们。",
    "Wrote {book}\n"
    "Next:\n"
    "  1. Open it and fill in the school's name, the school year and both semesters' dates in the settings on "
    "规则 (leave 统计截止日 blank to count up to today); its 校历 holds the national holidays, add the school's own "
    "closures.\n"
    "  2. Enter one row per teacher on 教师名册: 工号, 姓名, 教研组, 备课组, 岗位, and a new teacher's 师傅工号.\n"
    "  3. Teachers log their rows on 培训记录, 听课记录, 读书记录, 成果记录 and 教研活动; the 说明 sheet says what "
    "goes where.\n"
    "  4. {buttons}\n"
    "       cpdsheets validate {book}\n"
    "       cpdsheets recalc {book}\n"
    "  5. At the end of a semester, print every teacher's record: cpdsheets archive {book}\n"
    "The school keeps its own logs already? No need to copy them: cpdsheets bind school.xlsx reads them as they are.")
NEXT_BUTTONS = Text("在 Excel 中点「控制台」的「校验」「重新计算」按钮；用 WPS、LibreOffice 或不开表格时运行：",
                    "Click 校验 (validate) and 重新计算 (recalculate) on 控制台 in Excel; in WPS or LibreOffice, "
                    "or without opening it, run:")
NEXT_NO_MACROS = Text("这是不带按钮的 .xlsx：校验和计算请运行（要按钮就新建 .xlsm）：",
                      "This .xlsx has no buttons: validate and recalculate with (make an .xlsm for buttons):")
DEMO_NEXT = Text("已写入 {book}（示例学校，数据已填好）\n接下来：cpdsheets recalc {book} 计算一次，"
                 "或打开它点「控制台」的「重新计算」；cpdsheets archive {book} 打印个人档案。",
                 "Wrote {book} (the demo school, filled in)\nNext: cpdsheets recalc {book}, or open it and click "
                 "重新计算 on 控制台; cpdsheets archive {book} prints the teachers' records.")
