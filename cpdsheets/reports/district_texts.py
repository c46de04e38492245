"""The district roll-up's words (:mod:`.rollup_tables`, :mod:`.rollup`), by stable code."""

from __future__ import annotations

from ..contract.texts import Catalogue

DISTRICT = Catalogue("district", {
    "school": ("学校", "School"),
    "file": ("文件", "File"),
    "teachers": ("教师", "Teachers"),
    "met": ("达标教师", "Met"),
    "behind": ("进度落后", "Behind"),
    "not-met": ("未达标", "Not met"),
    "not-met-share": ("未达标占比", "Not met share"),
    "meeting-every-rule": ("全部规则达标", "Meeting every rule"),
    "median-credits": ("学分中位数", "Median credits"),
    "log-rows": ("记录行数", "Log rows"),
    "errors": ("错误", "Errors"),
    "warnings": ("警告", "Warnings"),
    "policy-changes": ("规则差异", "Policy changes"),
    "district": ("全区", "District"),
    "schools": ("{schools} 所学校", "{schools} schools"),
    "schools-files-unreadable-the-largest": ("共 {schools} 所学校（{unreadable} 个文件无法读取），按未达标教师占比从高到低排列；点击学校名称查看该校明细。",
                                             "{schools} schools ({unreadable} files unreadable), the largest "
                                             "share of teachers not met first; click a school for its details."),
    "rule": ("规则编号", "Rule"),
    "name": ("规则名称", "Name"),
    "subjects": ("适用对象", "Subjects"),
    "met-2": ("达标", "Met"),
    "rate": ("达标率", "Rate"),
    "file-school-year-s": ("文件：{path}    学年：{year}    用时 {seconds:.2f} 秒",
                           "File: {path}    School year: {year}    {seconds:.2f} s"),
    "each-cell-the-share-of": ("每格：该校已判定的对象中达标的比例，达标 ÷（达标 + 进度落后 + 未达标）（红低绿高）；进行中（周期未结束、要求尚未达到）"
                               "不计入，全区人数见表下，各校人数见「学校总览」各校明细；空白：该校未启用该规则、无适用对象或都还在进行中；"
                               "红色表头：多数学校达标率低于 50% 的规则。",
                               "Each cell: the share of the school's judged subjects meeting the rule, met ÷ (met + "
                               "behind + not met) (red low, green high); open subjects (period not over, requirement "
                               "still ahead) are left out: the district's counts are under the table, each school's "
                               "in its details on Schools; blank: rule off, no subject, or every subject still open; "
                               "red header: under 50 % in most schools."),
    "in-progress": ("进行中", "Open"),
    # Subjects counted under the rates; short enough for the sheet's first column (the note says the rest).
    "district-met": ("全区达标（对象）", "District: met"),
    "district-judged": ("全区已判定（对象）", "District: judged"),
    "district-in_progress": ("全区进行中（对象）", "District: open"),
    "id": ("工号", "ID"),
    "name-2": ("姓名", "Name"),
    "group": ("教研组", "Group"),
    "rules-not-met": ("未达标规则", "Rules not met"),
    "detail": ("明细", "Detail"),
    "teachers-whose-status-is-not": ("状态为「未达标」的教师共 {n_rows} 位；明细：按对象拆分的规则中未达标的一项（如 R11 的徒弟）。",
                                     "{n_rows} teachers whose status is not met; detail: the part of a split "
                                     "rule that is short (e.g. the apprentice for R11)."),
    "change": ("差异", "Change"),
    "rule-or-setting": ("规则或设置", "Rule or setting"),
    "item": ("项目", "Item"),
    "default": ("默认", "Default"),
    "this-school": ("本校", "This school"),
    "school-year": ("学年", "School year"),
    "schools-2": ("学校数", "Schools"),
    "schools-3": ("学校", "Schools"),
    "files": ("文件", "Files"),
    "teachers-with-the-same-id": ("同一学年同一工号和姓名出现在多所学校名册中的教师 {n_rows} 位（调动或重复登记），全区教师数中只计一次。",
                                  "{n_rows} teachers with the same ID and name on several schools' rosters in "
                                  "one school year (a transfer or a double entry), counted once in the "
                                  "district's teachers."),
    "reason": ("原因", "Reason"),
    "files-could-not-be-read": ("{n_rows} 个文件无法读取，未计入汇总。",
                                "{n_rows} files could not be read and are not in the roll-up."),
    "value": ("值", "Value"),
    "skipped": ("跳过", "Skipped"),
    "path-message": ("{path}：{message}", "{path}: {message}"),
    "note": ("说明", "Note"),
    "school-findings": ("校验问题：{errors} 个错误，{warnings} 个警告{codes}",
                        "Findings: {errors} errors, {warnings} warnings{codes}"),
    "school-alert": ("{state} {n} 条", "{n} {state}"),
    "school-alerts": ("预警：{alerts}；规则与默认不同 {n_changes} 处", "Alerts: {alerts}; {n_changes} policy changes"),
    "policy-changed": ("{changed} 所学校的规则表与默认规则不同：这些学校的达标率与其他学校不能直接比较。",
                       "{changed} schools' 规则 sheets differ from the defaults: their rates are not directly "
                       "comparable."),
    "policy-unchanged": ("所有学校都使用默认规则与设置，达标率可以直接比较。",
                         "Every school uses the default rules and settings: rates are comparable."),
    "runlog-version": ("版本", "Version"),
    "runlog-command": ("命令", "Command"),
    "runlog-time": ("运行时间", "Run at"),
    "runlog-as-of": ("统计截止日", "As of"),
    "runlog-files": ("文件", "Files"),
    "runlog-schools": ("学校", "Schools"),
    "runlog-unreadable": ("无法读取", "Unreadable"),
    "runlog-skipped": ("跳过的文件", "Files skipped"),
    "runlog-teachers": ("教师", "Teachers"),
    "runlog-distinct-teachers": ("去重后教师", "Distinct teachers"),
    "runlog-rows": ("记录行数", "Log rows"),
    "runlog-errors": ("错误", "Errors"),
    "runlog-warnings": ("警告", "Warnings"),
    "runlog-jobs": ("并行进程", "Jobs"),
    "runlog-seconds": ("用时（秒）", "Seconds"),
    "sheet-title": ("区域汇总 · {sheet}（统计截止 {as_of}）", "District roll-up · {sheet} (as of {as_of})"),
    "text-head": ("区域汇总，统计截止 {as_of}", "District roll-up as of {as_of}"),
    "text-school": ("  {school}（{path}）：{teachers} 位教师，未达标 {failing}，进度落后 {behind}，全部达标 {share}；{errors} 个错误，"
                    "{warnings} 个警告{changes}",
                    "  {school} ({path}): {teachers} teachers, {failing} not met, {behind} behind, {share} "
                    "meeting every rule; {errors} errors, {warnings} warnings{changes}"),
    "text-changes": ("；规则与默认不同 {n} 处", "; {n} policy changes"),
    "text-not-bound": ("    学校自己的登记簿，尚未绑定：先运行 cpdsheets bind {path}，再汇总它写出的 .xlsm",
                       "    the school's own book, not bound: run cpdsheets bind {path}, then roll up the .xlsm "
                       "it writes"),
    "text-unreadable": ("  {path}：无法读取：{error}", "  {path}: UNREADABLE: {error}"),
    "text-skipped": ("  跳过 {path}：{message}", "  skipped {path}: {message}"),
    "text-school-file": ("{school}（{path}）", "{school} ({path})"),
    "text-transfer": ("  警告 工号 {teacher_id} {name} 同时在 {n} 所学校的名册中：{where}",
                      "  warning: {teacher_id} {name} is on {n} schools' rosters: {where}"),
    "text-rules-head": ("  各规则：达标/已判定（达标率），进度落后，未达标；进行中（周期未结束、要求尚未达到）不计入达标率",
                        "  rules: met/judged (rate), behind, not met; open (period not over, requirement still "
                        "ahead) is not in the rate"),
    "text-rule": ("    {rule_id} {rule_name}：达标 {met}/{judged}（{rate}），进度落后 {behind}，未达标 {failed}，进行中 {in_progress}",
                  "    {rule_id} {rule_name}: {met}/{judged} met ({rate}), {behind} behind, {failed} not met, "
                  "{in_progress} open"),
    "text-low-rules": ("  多数学校达标率低于 50% 的规则：{rules}", "  rules under 50% in most schools: {rules}"),
    "text-totals": ("{schools} 所学校，{unreadable} 个文件无法读取{skipped}；{teachers} 位教师（{transfers} 位在多所学校的名册中，去重后 "
                    "{distinct} 位），未达标 {failing}，进度落后 {behind}；{errors} 个错误，{warnings} 个警告",
                    "{schools} schools, {unreadable} unreadable{skipped}; {teachers} teachers ({transfers} on "
                    "several schools' rosters, {distinct} distinct), {failing} not met, {behind} behind; "
                    "{errors} errors, {warnings} warnings"),
    "text-totals-skipped": ("，跳过 {n} 个文件", ", {n} skipped"),
    "problem-missing": ("缺少该项", "missing"),
    "problem-whole": ("应为整数", "should be a whole number"),
    "problem-number": ("应为数字", "should be a number"),
    "problem-text": ("应为文本", "should be text"),
    "problem-object": ("应为对象 {{…}}", "should be an object {{…}}"),
    "problem-list": ("应为列表 […]", "should be a list […]"),
    "problem-date": ("应为日期", "should be a date"),
    "problem-wrong": ("取值有误", "wrong value"),
    "problems-more": ("；另有 {n} 处", "; {n} more"),
    "schools-exceed-excel-s-limit": ("共 {blocks:,} 所学校，超过 Excel 每张表 {limit:,} 个链接的上限：只有前 {linked:,} 所的名称带跳转链接，"
                                     "其余学校的明细请在「学校总览」下方查找",
                                     "{blocks:,} schools exceed Excel's limit of {limit:,} links per sheet: only "
                                     "the first {linked:,} school names link to their details; find the others "
                                     "below the table"),
    "school-details": ("各校明细", "School details"),
    "back-to-the-table": ("↑ 返回总览", "↑ back to the table"),
    "teachers-per-school-by-status": ("各校教师达标情况", "Teachers per school by status"),
    "report-not-a-number": ("含有 {word}，不是 JSON 的数", "it holds {word}, which is not a JSON number"),
    "report-out-of-range": ("数 {number} 超出范围", "the number {number} is out of range"),
    "report-too-deep": ("嵌套层数过多", "it is nested too deeply"),
    "report-no-schools": ("没有 schools 列表", "it has no schools list"),
    "report-before-standings": (
        "由较早版本的 cpdsheets 写出：各规则没有分开「进行中 / 进度落后 / 未达标」的人数（旧的「达标」含进行中，"
        "无法再拆开）；请用本版本对该区重新运行 rollup 文件夹 --format json，再合并",
        "written by an earlier cpdsheets: its rules do not count in_progress / behind / failed apart (its "
        "met includes in_progress and cannot be split); run rollup FOLDER --format json for that district with "
        "this version, then merge"),
})
