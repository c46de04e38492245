"""What the CLI itself says (usage errors, what it wrote), by stable code; the jobs' and the
reports' words are in their own catalogues."""

from __future__ import annotations

from ..contract.texts import Catalogue

CLI = Catalogue("cli lines", {
    "bad-as-of": ("--as-of：「{value}」不是日期，请写成 2026-04-20、2026/4/20、2026.4.20 或 2026年4月20日",
                  "--as-of: '{value}' is not a date; write it as 2026-04-20, 2026/4/20 or 2026.4.20"),
    "written-to": ("已写入 {path}", "written to {path}"),
    "not-a-rollup-report": ("{p}: 不是 rollup 的 JSON 报告（{why}）", "{p}: not a rollup JSON report ({why})"),
    "not-json": ("不是 JSON：第 {line} 行第 {column} 列", "not JSON: line {line} column {column}"),
    "cannot-read": ("{p}: 无法读取（{reason}）", "{p}: cannot read（{reason}）"),
    "archive-head": ("统计截止 {as_of}：{n} 位教师的个人培训档案", "as of {as_of}: training records of {n} teachers"),
    "pdfs": ("{n} 个 PDF", "{n} PDFs"),
    "cleared-marks": ("已清除 {n} 处标记", "cleared {n} marks"),
    "bad-year": ("--year：「{year}」不是一个学年，请写成 2025-2026",
                 "--year: '{year}' is not a school year; write it as 2025-2026"),
    "bad-server": ("--server：「{server}」不是服务地址，请写成 http://主机:端口，如 http://10.0.0.5:8000",
                   "--server: '{server}' is not a service address; write it as http://host:port"),
    "bad-bind-year": ("--year：「{year}」不是一个学年，请写成 2024-2025",
                      "--year: '{year}' is not a school year; write it as 2024-2025"),
    "nothing-recognised": ("没有认出任何登记表，未写入", "no log sheet recognised; nothing written"),
    "mapping-unusable": ("「{mapping}」中有 {n_unusable} 行无法使用，改正或删除后再绑定",
                         "{n_unusable} lines of '{mapping}' cannot be used; fix or delete them, then bind again"),
})
