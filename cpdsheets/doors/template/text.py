"""The words of the master workbook: the 说明 sheet, the 控制台 labels, header help.

Chinese first; English when a school asks for ``lang="en"``.
"""

from __future__ import annotations

from ...contract.schema import ColumnSpec
from ...contract.texts import WORDS, Catalogue, Lang, Text

TEMPLATE = Catalogue("master workbook", {
    "guide-title": ("校本培训学分与达标登记表 · 使用说明", "School-based training workbook · How to use it"),
    "guide-what": ("这本工作簿是什么", "What this workbook is"),
    "guide-what-lines": (
        "本校一个学年的校本培训（校本研修）总台账：教师在各登记表中逐行登记培训、听课、读书、成果和教研活动，\n"
        "教科室点击「控制台」上的按钮，即可校验所有登记、计算每位教师的学分和达标情况，并把汇总表写回本工作簿。",
        "The school's master record of school-based teacher training for one school year. Teachers log\n"
        "trainings, lessons observed, reading, outputs and group meetings row by row; the coordinator clicks a\n"
        "button on the control sheet to validate every log, compute each teacher's credits and quota status,\n"
        "and write the summary tabs back into this workbook."),
    "guide-first-steps": ("先做这三件事", "First steps"),
    "guide-first-steps-lines": (
        "1. 在「规则」表的设置中填写学校名称、学年和两个学期的起止日期；统计截止日留空表示按今天统计。\n"
        "   「规则」表的校历已按国务院公布的放假安排填好（放假、调休上班），学校自己的停课日（运动会等）可添加一行。\n"
        "2. 在「教师名册」中每位教师登记一行：工号唯一（按文本填写，可保留前导零）；岗位可填多个，用顿号分隔。\n"
        "3. 新教师在「师傅工号」中填写师傅的工号；学期中途入校或离校的教师填写入校日期或离校日期。",
        "1. On the 规则 (Policy) sheet fill in the school name, the school year and both semesters;\n"
        "   leave 统计截止日 (as-of date) blank to count up to today. The 校历 (school calendar) on the same\n"
        "   sheet holds the national holidays and 调休 workdays; add a line for each closure of the school's own.\n"
        "2. In 教师名册 (Teachers) enter one row per teacher: a unique ID (text, leading zeros kept);\n"
        "   several roles may be listed, separated by 、\n"
        "3. For a new teacher, fill in the mentor's ID; for joiners or leavers, the join or leave date."),
    "guide-how-to-log": ("怎样登记", "How to log"),
    "guide-how-to-log-lines": (
        "· 每张登记表第 2 行是表头，从第 3 行开始一行登记一条记录；列的顺序可以调整，可以增加自己的列。\n"
        "· 表头带批注的列，把鼠标移到表头上即可看到填写说明；带下拉箭头的单元格请从列表中选择。\n"
        "· 日期请填写真正的日期，如 2025-09-03 或 2025年9月3日；学时、字数等填写数字，不能为负数。\n"
        "· 培训记录：一位教师参加一次培训登记一行；学分可留空，系统按学时和类别折算；外出培训填写天数。\n"
        "· 听课记录：一节课一行；授课教师填写姓名或工号；听外校的课，地点填「校外」。\n"
        "· 读书记录：读完一本书刊、交一份读书导研单或读书笔记各登记一行；写了笔记的在字数列填写笔记字数（每一行的字数都计入年度读书笔记字数）。\n"
        "· 教研活动：一次教研组或备课组活动一行，组别与名册中的教研组、备课组名称一致。\n"
        "· 豁免：产假、病假、外派等期间免于考核的教师登记在此；规则编号留空表示全部规则。",
        "· Row 2 of every log sheet is the header; records start in row 3. Columns may be reordered or added.\n"
        "· Hover over a header to see its help; cells with a drop-down arrow take a value from the list.\n"
        "· Dates must be real dates such as 2025-09-03; hours and characters are numbers, never negative.\n"
        "· Trainings: one row per teacher per session; credits may be left blank (computed from hours).\n"
        "· Observations: one row per lesson; the teacher observed by name or ID; 校外 for another school.\n"
        "· Exemptions: maternity, sick leave or secondment; a blank rule ID exempts from every rule."),
    "guide-buttons": ("按钮的作用（控制台）", "The buttons (control sheet)"),
    "guide-buttons-lines": (
        "· 校验：检查所有登记表，问题单元格标色并加批注，问题清单写入「校验问题」表。\n"
        "· 重新计算：校验后计算学分和达标情况，生成「学分汇总」「达标预警」「教研组统计」表。\n"
        "· 清除标记：去掉校验留下的颜色和批注，登记内容不变。\n"
        "· 个人档案：为每位教师生成可打印的个人培训档案和全校概览，另存为总表旁边的新文件。\n"
        "这些汇总表由程序生成，每次运行整表替换，请不要在其中手工填写。",
        "· 校验 Validate: checks every log, marks bad cells, lists the problems on 校验问题 (Issues).\n"
        "· 重新计算 Recalculate: computes credits and quotas into 学分汇总, 达标预警 and 教研组统计.\n"
        "· 清除标记 Clear marks: removes the marks left by validation; the data is unchanged.\n"
        "· 个人档案 Archive: each teacher's printable training record, in a new file beside this workbook.\n"
        "The summary tabs are replaced whole on every run: do not type into them."),
    "guide-without-excel": ("没有 Excel 时", "Without Excel"),
    "guide-without-excel-lines": (
        "使用 WPS 或 LibreOffice 的学校，在命令行运行：cpdsheets validate 本文件.xlsm（校验）\n"
        "或 cpdsheets recalc 本文件.xlsm（重新计算），结果同样写回本工作簿。",
        "With WPS or LibreOffice run: cpdsheets validate this.xlsm, or cpdsheets recalc this.xlsm."),
    "guide-new-year": ("新学年", "A new school year"),
    "guide-new-year-lines": ("运行 cpdsheets new 新文件.xlsm --year 2026-2027 生成新学年的空白台账，把教师名册复制过去即可。",
                             "Run cpdsheets new next.xlsm --year 2026-2027 and copy the roster across."),
    "console-title": ("控制台", "Control panel"),
    "console-intro": ("点击按钮运行（需要 Excel 并启用宏；WPS / LibreOffice 请使用命令行 cpdsheets）。",
                      "Click a button (Excel with macros enabled; with WPS or LibreOffice use the cpdsheets command line)."),
    "button-validate": ("校验", "Validate"),
    "button-validate-note": ("检查所有登记表，标出有问题的单元格，问题清单写入「校验问题」表。",
                             "Check every log sheet, mark bad cells, list the problems on 校验问题."),
    "button-recalculate": ("重新计算", "Recalculate"),
    "button-recalculate-note": ("校验并计算学分与达标情况，生成「学分汇总」「达标预警」「教研组统计」表。",
                                "Validate, then compute credits and quotas into the summary tabs."),
    "button-clear-marks": ("清除标记", "Clear marks"),
    "button-clear-marks-note": ("清除校验留下的颜色和批注，登记内容不变。",
                                "Remove the colours and notes left by validation; data unchanged."),
    "button-archive": ("个人档案", "Archive"),
    "button-archive-note": ("为每位教师生成可打印的个人培训档案（含全校概览），另存为总表旁边的新文件，总表不变。",
                            "Each teacher's printable training record and a school overview, in a new file beside this workbook."),
    "console-server": ("服务器地址", "Server address"),
    "console-token": ("学校令牌", "School token"),
    "console-online": ("在线校验", "Check online"),
    "console-service-note": ("填了服务器地址和学校令牌时，四个按钮把总表发送到区里的服务计算，本机不需要 Python；令牌由区里用 cpdsheets accounts token 生成。连不上服务时按钮改用本机 Python。",
                             "With a server address and a school token, the four buttons send the book to the district service and this PC needs no Python; the district makes the token with cpdsheets accounts token. When the service cannot be reached the buttons use local Python."),
    "console-online-note": ("WPS / LibreOffice 用户：点左边的「在线校验」，在浏览器中上传本总表，结果与按钮相同。",
                            "WPS / LibreOffice users: click Check online on the left and upload this book in the browser; the result is the buttons' result."),
    "help-teacher-id": ("填写名册中的工号（按文本）", "an ID from the roster (as text)"),
    "help-date": ("填写日期，如 2025-09-03", "a date such as 2025-09-03"),
    "help-number": ("填写数字，不能为负数", "a number, not negative"),
    "help-attendance": ("出勤 / 迟到 / 请假 / 缺勤", "present / late / leave / absent"),
    "help-location": ("校内或校外", "校内 (in school) or 校外 (elsewhere)"),
    "help-roles": ("可填多个，用顿号分隔", "several allowed, separated by 、"),
    "help-required": ("必填。", "Required. "),
    "help-optional": ("选填。", "Optional. "),
    "help-choices": ("可选：{choices}", "Choices: {choices}"),
    "help-header": ("（英文表头：{english}）", "(English header: {english})"),
    # The header comment: Chinese gives the column's own help and its English header; English the kind's.
    "help-comment": ("{required}{own}{choices}{header}", "{required}{kind}{choices}"),
    "calendar-not-announced": (
        "注意：{year}学年的放假安排国务院尚未公布，「规则」表校历中的节假日按农历推算（春节为除夕至初七），未列调休上班日；公布后请核对。",
        "Note: the State Council has not announced the {year} holidays yet; the 校历 on 规则 has them from the lunar calendar (the Spring Festival from its eve to the 7th day) and no 调休 workdays; check it once announced."),
    "next-steps": (
        "已写入 {book}\n接下来：\n  1. 打开它，在「规则」表的设置中填写学校名称、学年和两个学期的起止日期（统计截止日留空表示按今天统计）；校历已按国家放假安排填好，学校自己的停课日可添加一行。\n  2. 在「教师名册」中每位教师登记一行：工号、姓名、教研组、备课组、岗位，新教师填师傅工号。\n  3. 教师在「培训记录」「听课记录」「读书记录」「成果记录」「教研活动」中逐行登记；「说明」表有填写要求。\n  4. {buttons}\n       cpdsheets validate {book}\n       cpdsheets recalc {book}\n  5. 期末为每位教师打印个人培训档案：cpdsheets archive {book}\n学校已有自己的登记表？不必改抄：cpdsheets bind 学校.xlsx 直接读取它们。",
        "Wrote {book}\nNext:\n  1. Open it and fill in the school's name, the school year and both semesters' dates in the settings on 规则 (leave 统计截止日 blank to count up to today); its 校历 holds the national holidays, add the school's own closures.\n  2. Enter one row per teacher on 教师名册: 工号, 姓名, 教研组, 备课组, 岗位, and a new teacher's 师傅工号.\n  3. Teachers log their rows on 培训记录, 听课记录, 读书记录, 成果记录 and 教研活动; the 说明 sheet says what goes where.\n  4. {buttons}\n       cpdsheets validate {book}\n       cpdsheets recalc {book}\n  5. At the end of a semester, print every teacher's record: cpdsheets archive {book}\nThe school keeps its own logs already? No need to copy them: cpdsheets bind school.xlsx reads them as they are."),
    "next-buttons": (
        "在 Excel 中点「控制台」的「校验」「重新计算」按钮；用 WPS、LibreOffice 或不开表格时运行：",
        "Click 校验 (validate) and 重新计算 (recalculate) on 控制台 in Excel; in WPS or LibreOffice, or without opening it, run:"),
    "next-no-macros": (
        "这是不带按钮的 .xlsx：校验和计算请运行（要按钮就新建 .xlsm）：",
        "This .xlsx has no buttons: validate and recalculate with (make an .xlsm for buttons):"),
    "demo-next": (
        "已写入 {book}（示例学校，数据已填好）\n接下来：cpdsheets recalc {book} 计算一次，或打开它点「控制台」的「重新计算」；cpdsheets archive {book} 打印个人档案。",
        "Wrote {book} (the demo school, filled in)\nNext: cpdsheets recalc {book}, or open it and click 重新计算 on 控制台; cpdsheets archive {book} prints the teachers' records."),
})

GUIDE_TITLE = TEMPLATE["guide-title"]
# The 说明 sheet's sections in order: a heading and its lines (one cell each).
GUIDE_SECTIONS = ("what", "first-steps", "how-to-log", "buttons", "without-excel", "new-year")


def guide(lang: Lang) -> list[tuple[str, list[str]]]:
    return [(TEMPLATE.render(f"guide-{s}", lang), TEMPLATE.render(f"guide-{s}-lines", lang).split("\n"))
            for s in GUIDE_SECTIONS]


CONSOLE_TITLE = TEMPLATE["console-title"]
CONSOLE_INTRO = TEMPLATE["console-intro"]
# (macro, caption, what it does): the 控制台 buttons in order.
BUTTONS: tuple[tuple[str, Text, Text], ...] = tuple(
    (macro, TEMPLATE[f"button-{code}"], TEMPLATE[f"button-{code}-note"])
    for macro, code in (("Validate", "validate"), ("Recalculate", "recalculate"), ("ClearMarks", "clear-marks"),
                        ("Archive", "archive")))

# The district service (cpdsheets serve), on the control sheet below the buttons: xlmacros/CpdSheets.bas
# reads the values beside the first two labels (column B label, column C value; either language).
CONSOLE_SERVER = TEMPLATE["console-server"]
CONSOLE_TOKEN = TEMPLATE["console-token"]
CONSOLE_ONLINE = TEMPLATE["console-online"]
CONSOLE_SERVICE_NOTE = TEMPLATE["console-service-note"]
CONSOLE_ONLINE_NOTE = TEMPLATE["console-online-note"]


def service_rows(server: str, lang: Lang) -> list[tuple[str, str, bool]]:
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


_KIND_HELP = {kind: f"help-{kind.replace('_', '-')}" for kind in
              ("teacher_id", "date", "number", "attendance", "location", "roles")}


def column_help(column: ColumnSpec, lang: Lang = "zh") -> str:
    """The header comment: required or not, what to type, the accepted choices."""
    kind = TEMPLATE[_KIND_HELP[column.kind]] if column.kind in _KIND_HELP else None
    english = next((a for a in column.aliases if a.isascii()), "")

    def ended(part: str) -> str:
        return part if not part or part.endswith(("。", ".", "）", " ")) else part + WORDS.render("full-stop", lang)

    return TEMPLATE.render(
        "help-comment", lang,
        required=TEMPLATE.render("help-required" if column.required else "help-optional", lang),
        own=ended(column.help or (kind.zh if kind else "")), kind=ended(kind.en if kind else ""),
        choices=ended(TEMPLATE.render("help-choices", lang, choices="、".join(column.choices))) if column.choices else "",
        header=TEMPLATE.render("help-header", lang, english=english) if english else "").strip()


CALENDAR_NOT_ANNOUNCED = TEMPLATE["calendar-not-announced"]  # printed by `new` when the holidays are not out
# What `cpdsheets new` prints under the file it wrote: what to do next, in the order a coordinator does
# it. ``{book}`` is the file as typed at the prompt.
NEXT_STEPS = TEMPLATE["next-steps"]
NEXT_BUTTONS = TEMPLATE["next-buttons"]
NEXT_NO_MACROS = TEMPLATE["next-no-macros"]
DEMO_NEXT = TEMPLATE["demo-next"]
