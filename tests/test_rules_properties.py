"""Properties of the engine over generated workbooks (bounded: 50 examples each)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from engine_data import D, dataset, policy, teacher
from hypothesis import given, settings
from hypothesis import strategies as st

from cpdsheets.engine.compute import compute

IDS = ["1001", "1002", "1003"]
ALL_RULES = [f"R{i:02d}" for i in range(1, 19)]
AS_OF = D(2025, 3, 20)
days = st.dates(min_value=D(2024, 9, 1), max_value=D(2025, 8, 31))
tid = st.sampled_from(IDS)

trainings = st.lists(st.builds(
    lambda d, t, c, lvl, h, a, cr, dd: dict(date=d, teacher_id=t, title="培训", category=c, level=lvl, hours=h,
                                            attendance=a, credits=cr, days=dd),
    days, tid, st.sampled_from(["校本研修", "网络研修", "外出培训"]), st.sampled_from(["校级", "区级", None]),
    st.sampled_from([0.5, 1.0, 2.0, 4.0, 8.0]), st.sampled_from(["出勤", "缺勤", "请假", "迟到", None]),
    st.sampled_from([None, None, 1.0, 3.0]), st.sampled_from([None, 0.5, 1.0, 3.0])), max_size=25)
observations = st.lists(st.builds(
    lambda d, t, by, loc: dict(date=d, teacher_id=t, taught_by=by, location=loc),
    days, tid, st.sampled_from(IDS + ["张三", "外校老师"]), st.sampled_from(["校内", "校外"])), max_size=30)
reading = st.lists(st.builds(
    lambda d, t, ty, ch: dict(date=d, teacher_id=t, title="书", type=ty, chars=ch),
    days, tid, st.sampled_from(["必读书目", "教育刊物", "读书导研单", "读书笔记"]),
    st.sampled_from([None, 500.0, 3000.0])), max_size=20)
outputs = st.lists(st.builds(
    lambda d, t, ty, lvl: dict(date=d, teacher_id=t, type=ty, level=lvl),
    days, tid, st.sampled_from(["公开课", "讲座", "教育随笔", "论文"]), st.sampled_from(["校级", "市级", None])),
    max_size=10)
activities = st.lists(st.builds(
    lambda d, g, ty: dict(date=d, group=g, type=ty),
    days, st.sampled_from(["语文组", "数学组", "一年级语文"]),
    st.sampled_from(["集体备课", "跨学科", "跨校", "数字化教研"])), max_size=15)
exemption = st.builds(
    lambda t, r, s, n: dict(teacher_id=t, rule_id=r, start=s, end=s + dt.timedelta(days=n)),
    tid, st.sampled_from([None, "R03", "R07", "R08", "R01"]), days, st.integers(0, 60))
book = st.fixed_dictionaries({
    "trainings": trainings, "observations": observations, "reading": reading, "outputs": outputs,
    "activities": activities, "exemptions": st.lists(exemption, max_size=3),
})
ROSTER = [teacher("1001", "张三", teaching_group="语文组", lesson_group="一年级语文", roles="中层",
                  work_start=D(2021, 9, 1)),
          teacher("1002", "李四", teaching_group="数学组", mentor_id="1001", join_date=D(2024, 11, 4)),
          teacher("1003", "王五", teaching_group="语文组", mentor_id="1001", birth_date=D(1990, 5, 1))]
CAPS = {"网络研修": 2.0, "成果": 3.0}


def run(sheets, as_of=AS_OF, rules=ALL_RULES, **settings_kw):
    return compute(dataset(ROSTER, **sheets), policy(*rules, **settings_kw), as_of)


def canon(res):
    keys = ["subject_type", "subject", "rule_id", "detail", "period_start"]
    p = res.progress.sort_values(keys, ignore_index=True)
    t = res.teachers.sort_values("teacher_id", ignore_index=True)
    return p, t


@settings(max_examples=50, deadline=None)
@given(book, st.randoms(use_true_random=False))
def test_shuffling_rows_never_changes_the_result(sheets, rnd):
    shuffled = {k: rnd.sample(v, len(v)) for k, v in sheets.items()}
    p1, t1 = canon(run(sheets))
    p2, t2 = canon(run(shuffled))
    pd.testing.assert_frame_equal(p1, p2, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(t1.drop(columns="credits_by_category"), t2.drop(columns="credits_by_category"),
                                  check_exact=False, rtol=1e-12)
    assert [dict(sorted(d.items())) for d in t1["credits_by_category"]] == \
           [dict(sorted(d.items())) for d in t2["credits_by_category"]]


@settings(max_examples=50, deadline=None)
@given(book, tid, days, st.sampled_from([0.5, 2.0, 6.0]), st.sampled_from(["出勤", "迟到", None]))
def test_adding_a_present_training_row_never_lowers_credits(sheets, who, day, hours, attendance):
    before = run(sheets, rules=["R01"], category_caps=CAPS).teachers.set_index("teacher_id")["credits"]
    row = dict(date=day, teacher_id=who, title="新增", category="网络研修", level="校级", hours=hours,
               attendance=attendance)
    more = {**sheets, "trainings": [*sheets["trainings"], row]}
    after = run(more, rules=["R01"], category_caps=CAPS).teachers.set_index("teacher_id")["credits"]
    assert (after >= before - 1e-12).all()


@settings(max_examples=50, deadline=None)
@given(book, exemption)
def test_adding_an_exemption_never_adds_an_alert(sheets, extra):
    def alert_keys(res):
        a = res.alerts[res.alerts["subject_type"] == "teacher"]
        return set(zip(a["subject"], a["rule_id"], a["detail"], a["period_start"], a["state"]))
    rules = ["R01", "R03", "R05", "R07", "R08", "R10", "R11"]  # teacher rules of every period kind but 周
    before = alert_keys(run(sheets, rules=rules))
    after = alert_keys(run({**sheets, "exemptions": [*sheets["exemptions"], extra]}, rules=rules))
    # The same (subject, rule, period) may stay short, or clear; no new one appears.
    assert {(s, r, d, p) for s, r, d, p, _ in after} <= {(s, r, d, p) for s, r, d, p, _ in before}


@settings(max_examples=50, deadline=None)
@given(book)
def test_caps_are_never_exceeded(sheets):
    res = run(sheets, as_of=D(2025, 8, 31), rules=["R01"], category_caps=CAPS)
    for by_cat in res.teachers["credits_by_category"]:
        for cat, cap in CAPS.items():
            assert by_cat.get(cat, 0.0) <= cap + 1e-12
    totals = res.teachers.set_index("teacher_id")["credits"]
    r01 = res.progress[res.progress["rule_id"] == "R01"].set_index("subject")["actual"]
    for t, v in r01.items():  # R01 totals the same capped credits
        assert abs(totals[t] - v) < 1e-9


COUNTING = {"R03", "R04", "R06", "R07", "R08", "R10", "R11", "R12", "R13", "R14", "R16", "R17", "R18"}


@settings(max_examples=30, deadline=None)
@given(book, st.sampled_from([D(2024, 10, 15), D(2025, 3, 20), D(2025, 8, 31)]))
def test_alerts_are_distinct_and_requirements_whole(sheets, as_of):
    res = run(sheets, as_of=as_of)
    a = res.alerts
    keys = list(zip(a["subject"], a["rule_id"], a["period_start"], a["period_end"], a["detail_label"]))
    assert len(keys) == len(set(keys))  # no two alerts read alike
    assert (a["detail_label"].astype(str).str.len() > 0).all()
    p = res.progress
    counting = p[p["rule_id"].isin(COUNTING)]
    whole = counting["required"].dropna()
    assert (whole == whole.round()).all()  # whole items, never "0.158 lessons"
    short = a[a["rule_id"].isin(COUNTING) & (a["state"] != "超出上限")]
    assert (short["required"] >= 1).all()  # a requirement that rounds to 0 raises no alert
    pace = counting[~counting["closed"].astype(bool)]
    assert (pace["expected"] == pace["expected"].round()).all() and (pace["expected"] <= pace["required"]).all()
