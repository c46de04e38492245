"""The output tabs' column headers and run-log items, by code, in both languages: one place for a
header's words, used by the tabs (:mod:`.tabs`) and by the live adapter's run-log line."""

from __future__ import annotations

from ..contract.texts import Catalogue

HEADERS = Catalogue("tab headers", {
    "summary-title": ("{school} 学分汇总（统计截止 {as_of}）", "Credit summary (as of {as_of})"),
    "groups-chart": ("各教研组达标率", "Completion by group"),
    "severity": ("严重度", "Severity"),
    "sheet": ("工作表", "Sheet"),
    "cell": ("单元格", "Cell"),
    "column": ("列", "Column"),
    "typed-value": ("填写内容", "Value"),
    "problem": ("问题", "Problem"),
    "fix": ("修改建议", "How to fix"),
    "code": ("代码", "Code"),
    "teacher-id": ("工号", "ID"),
    "name": ("姓名", "Name"),
    "teaching-group": ("教研组", "Group"),
    "lesson-group": ("备课组", "Lesson group"),
    "roles": ("岗位", "Roles"),
    "credits": ("总学分", "Credits"),
    "status": ("状态", "Status"),
    "alert-items": ("预警事项", "Alerts"),
    "state": ("状态", "State"),
    "subject": ("对象", "Subject"),
    "subject-name": ("姓名/组", "Name"),
    "rule": ("规则", "Rule"),
    "rule-name": ("规则名称", "Rule name"),
    "detail": ("明细", "Detail"),
    "period": ("周期", "Period"),
    "period-start": ("周期开始", "From"),
    "period-end": ("周期结束", "To"),
    "actual": ("实际", "Actual"),
    "required": ("要求", "Required"),
    "note": ("说明", "Note"),
    "consequence": ("后果", "Consequence"),
    "teachers": ("教师数", "Teachers"),
    "mean-credits": ("平均学分", "Mean credits"),
    "completion": ("达标率", "Completion"),
    "teachers-behind": ("进度落后人数", "Behind"),
    "teachers-failed": ("未达标人数", "Not met"),
    "teacher-alerts": ("教师预警条数", "Teacher alerts"),
    "group-alerts": ("教研组预警条数", "Group alerts"),
    "item": ("项目", "Item"),
    "value": ("值", "Value"),
})
# The 运行记录 tab's items (one row each), keyed as the jobs report them.
RUNLOG_ITEMS = Catalogue("run log items", {
    "version": ("版本", "Version"),
    "job": ("操作", "Job"),
    "time": ("运行时间", "Run at"),
    "as_of": ("统计截止日", "As of"),
    "source": ("文件", "File"),
    "input_hash": ("输入指纹", "Input hash"),
    "seconds": ("耗时（秒）", "Seconds"),
    "rows": ("记录行数", "Rows"),
    "teachers": ("教师数", "Teachers"),
    "errors": ("错误", "Errors"),
    "warnings": ("警告", "Warnings"),
    "alerts": ("预警（达标预警行数）", "Alerts (rows)"),
    "alert_periods": ("预警周期数", "Alert periods"),
    "message": ("说明", "Message"),
})

ALERT_NOTES = Catalogue("alert notes", {
    "not-met": ("{n_failed}/{windows} {unit}未达标：{spans}", "{n_failed}/{windows} {unit} not met: {spans}"),
    "in-progress-behind-of-due": ("进行中的 {span} 进度落后（已有 {actual}，按进度应有 {expected}）",
                                  "{span} in progress, behind ({actual} of {expected} due so far)"),
    "over-the-limit": ("超出上限：{spans}", "over the limit: {spans}"),
    "due-by-now": ("按进度现应有 {expected}", "{expected} due by now"),
    "final-left": ("已离校", "left the school"),
    "final-on-leave": ("休假", "on leave"),
    "final-now": ("{reasons}：按在岗上课日折算，本期到此为止", "{reasons}: pro-rated to the school days in post, final now"),
})

# A finding's or an alert's severity as the tabs show it.
SEVERITY_WORDS = Catalogue("severities", {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示", "info"),
})

# What `cpdsheets recalc` prints (:mod:`.recalc_text`).
RECALC_LINES = Catalogue("recalc lines", {
    "head": ("统计截止 {as_of}：{teachers} 位教师，{alerts} 条预警{by_state}；{errors} 个错误，{warnings} 个警告",
             "as of {as_of}: {teachers} teachers, {alerts} alerts{by_state}; {errors} errors, {warnings} warnings"),
    "more": ("  … 另有 {n} 条，见「达标预警」", "  … {n} more, see the Alerts tab"),
})
