"""Evaluate one quota rule for every subject and period: the ``progress`` rows.

Days are school days (docs/SPEC.md, "School calendar"): weekdays inside the semesters, less the 校历's 放假 and
学校停课 days, plus its 调休上班 weekend days (``Context.school_days``). For each (subject, detail,
period) that has started by the as-of date:
- ``actual``: the metric over the subject's matching rows in the period (计数: rows; 合计 / 字数: the
  sum of the field; 占比: matching rows ÷ all the subject's rows of the sheet, 0 when there are none);
- ``applicable_days``: the period's school days on which the rule applies (teachers: in post and not
  exempt; groups: every school day). A period with none carries no requirement and gives no row;
- ``period_days``: what a period is measured against: a normal window's school days for 周 (5),
  双周 (10) and 月 (the month's weekdays); the period's own school days for 学期 and 学年. A window
  with fewer school days than half of that (the National Day week, a month cut by a semester's
  start) requires nothing;
- ``required`` = 下限 × applicable_days ÷ period_days (at most 下限; 占比: 下限 itself). Counted things
  are whole (计数: rounded half up, so an exempt teacher never "needs 0.158 lessons"; a requirement
  that rounds to 0 is none); sums and characters keep one decimal. A 超出上限 row carries 上限 instead;
- ``expected`` (open period of a 按进度 rule only) = 下限 × the subject's applicable school days up to
  the as-of date ÷ period_days, floored for 计数: a one-item monthly or fortnightly quota is not
  "behind" before its last day. A 仅期末 rule (进度提示) has none;
- a period is **final** for a teacher once their time in post inside it is over (离校日期, or an
  exemption running past its end): ``closed`` is then True before the period ends, it is judged
  like a closed one (未达标 or 达标, never 进度落后, no "still needed" advice), and ``final_reason``
  says why (已离校, 休假);
- ``state``: 超出上限 when actual > 上限 (any time, not pro-rated); else in a closed (or final) period
  未达标 when actual < required; in the open period 进度落后 when actual < expected; else 达标.

``detail`` splits a rule where one subject has several counts: 计数 with a 字段 whose values the
condition lists (R18 ``类型=跨学科|跨学段|…``: each type must reach the bound), and
``授课教师=徒弟`` (R11: one count per mentor-apprentice pair, the subject being the mentor; its
applicable days are the mentor's applicable days on which the apprentice is also in post; likewise
``授课教师=师傅``, R10, counts only the apprentice's days on which the mentor is in post).
``detail_label`` says it in words on every row, so no two alerts of one subject, rule and period
read alike: the apprentice (``1007 赵敏``), the listed value (``跨学科``), else for a group the group
(``教研组 英语组``) and for a teacher what is counted (the condition in words, or the sheet and field).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..contract.conditions import Condition, condition_words, subject_types
from ..contract.policy import CREDITS_SHEET, PACE_PACED, Rule
from ..contract.schema import CREDIT_LEDGER, SHEETS
from ..contract.states import State, SubjectType
from .availability import Availability, days_in
from .credits import capped_by_category
from .filters import attribute_keys, evaluate, is_apprentice_term, is_mentor_term, with_attributes
from .periods import Calendar, assign_periods, normal_window_days, period_table
from .roster import group_names

PROGRESS_COLUMNS = [
    "subject", "subject_type", "subject_name", "group", "rule_id", "rule_name", "detail", "detail_name",
    "detail_label",
    "period_kind", "period_label", "period_start", "period_end", "semester", "closed", "period_days",
    "applicable_days", "actual", "required", "expected", "lower", "upper", "state", "severity",
    "consequence", "final_reason", "period",
]
# A rule's counted value per (subject, detail, period_id) that has rows.
Actuals = dict[tuple[Any, Any, Any], float]
# Why a period is final for a teacher before it ends (docs/SPEC.md, "School calendar"): their time in post
# inside it is over.
FINAL_LEFT, FINAL_LEAVE = "已离校", "休假"


@dataclass(slots=True)
class Context:
    cal: Calendar
    as_of: pd.Timestamp
    attrs: pd.DataFrame  # roster.teacher_attributes
    pairs: pd.DataFrame  # roster.mentor_pairs
    avail: Availability
    frames: dict[str, pd.DataFrame]  # sheet key (and CREDITS_SHEET) -> counted rows
    periods: PeriodTables  # period kind -> periods.period_table
    caps: dict[str, float]
    school_days: np.ndarray  # one bool per day of the school year (Calendar.school_day_mask)
    windows: dict[str, Windows] = field(default_factory=dict)  # period kind -> started_windows, filled as rules ask
    chosen: dict[tuple[Condition, str], tuple[pd.DataFrame, pd.DataFrame]] = field(default_factory=dict)  # _teachers_and_rows
    period_ids: dict[tuple[int, int], tuple[pd.DataFrame, pd.DataFrame, np.ndarray]] = field(default_factory=dict)


class PeriodTables(dict[str, pd.DataFrame]):
    """period kind -> periods.period_table, each built when a rule first asks for it (a policy uses two
    or three of the five kinds)."""

    def __init__(self, cal: Calendar):
        super().__init__()
        self.cal = cal

    def __missing__(self, kind: str) -> pd.DataFrame:
        self[kind] = table = _period_table(self.cal, kind)
        return table


@functools.lru_cache(maxsize=64)
def _period_table(cal: Calendar, kind: str) -> pd.DataFrame:
    # A district's books share their calendar: a warm worker builds each table once. Only read, never
    # changed (started_windows selects from it into a new frame).
    return period_table(cal, kind)


def empty_progress() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in PROGRESS_COLUMNS})


def evaluate_rule(rule: Rule, ctx: Context) -> pd.DataFrame:
    windows = started_windows(ctx, rule.period)
    if not len(windows.periods):
        return empty_progress()
    parts: list[Grid] = []
    for word in subject_types(rule.applies_to):
        kind = SubjectType.from_word(word)
        if kind is None:  # the policy reader accepts only the words SubjectType knows
            continue
        grid = _teacher_grid(rule, ctx, windows) if kind is SubjectType.TEACHER else _group_grid(rule, ctx, windows, kind)
        if grid is not None and len(grid["subject"]):
            parts.append(grid)
    if not parts:
        return empty_progress()
    if len(parts) > 1:  # teachers and groups under one rule: their columns joined as pandas joins them
        joined = pd.concat([pd.DataFrame(p) for p in parts], ignore_index=True)
        parts = [{c: joined[c].to_numpy() for c in joined.columns}]
    return _states(parts[0], rule, ctx)


# -- teachers ----------------------------------------------------------------------------------

def _teacher_grid(rule: Rule, ctx: Context, windows: Windows) -> Grid | None:
    subjects, rows = _teachers_and_rows(rule, ctx)
    if not len(subjects):
        return None
    per_apprentice = any(is_apprentice_term(t) for t in rule.condition.terms)
    values = _listed_values(rule)

    if per_apprentice:
        pairs = ctx.pairs[ctx.pairs["mentor_id"].isin(set(subjects["teacher_id"]))]
        paired = pd.DataFrame({"subject": pairs["mentor_id"].to_numpy(), "detail": pairs["apprentice_id"].to_numpy(),
                               "detail_name": pairs["apprentice_name"].to_numpy()})
        paired["detail_label"] = (paired["detail"].astype(str) + " "
                                  + paired["detail_name"].fillna("").astype(str)).str.strip()
        keys = {c: paired[c].to_numpy() for c in paired.columns}
        rows = rows.merge(pairs.rename(columns={"mentor_id": "teacher_id", "apprentice_id": "_apprentice_id",
                                                "apprentice_name": "_apprentice_name"}), on="teacher_id")
        detail = rows["_apprentice_id"]
    elif values:
        keys = _listed_keys(subjects["teacher_id"].to_numpy(), values)
        detail = rows[rule.field].astype("object")
    else:
        sid = subjects["teacher_id"].to_numpy()
        keys = {"subject": sid, "detail": _full(len(sid), ""), "detail_name": _full(len(sid), ""),
                "detail_label": _full(len(sid), counted_label(rule))}
        detail = None
    if not len(keys["subject"]):
        return None

    actual = _actuals(rule, ctx, rows, detail, windows.periods, subject_col="teacher_id")
    # Applicable days per key row: the subject's, and for a pair also the apprentice's days in post.
    idx = ctx.avail.index
    matrix = ctx.avail.applicable(rule.rule_id)[idx.reindex(keys["subject"]).to_numpy()]
    if per_apprentice:
        matrix = matrix & ctx.avail.in_post[idx.reindex(keys["detail"]).to_numpy()]
    elif any(is_mentor_term(t) for t in rule.condition.terms):
        # R10 the other way round: only the days the mentor is in post too (a mentor on the roster).
        mentor = idx.reindex(_roster_values(ctx, "t:mentor", keys["subject"]))
        known = mentor.notna().to_numpy()
        if known.any():
            matrix = matrix.copy()
            matrix[known] &= ctx.avail.in_post[mentor[known].astype("int64").to_numpy()]
    grid = _grid(keys, windows, matrix)
    grid["subject_type"] = SubjectType.TEACHER.value
    grid["subject_name"] = _roster_values(ctx, "t:name", grid["subject"])
    grid["group"] = _roster_values(ctx, "t:teaching_group", grid["subject"])
    return _with_actual(grid, actual)


def _roster_values(ctx: Context, column: str, teacher_ids: pd.Series | np.ndarray) -> np.ndarray:
    """``column`` of ``ctx.attrs`` for each teacher id (NaN for an id not on the roster): by position, as
    ``Availability.index`` numbers the roster, rather than a ``set_index`` + ``reindex`` per rule."""
    teacher_ids = np.asarray(teacher_ids)
    pos = ctx.avail.index.index.get_indexer(teacher_ids)
    values = ctx.attrs[column].to_numpy()
    if (pos >= 0).all():
        return values[pos]
    return ctx.attrs[column].set_axis(ctx.avail.index.index).reindex(teacher_ids).to_numpy()


def _teachers_and_rows(rule: Rule, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The teachers a rule applies to and their rows of its sheet. Rules share 适用对象 and sheets (most
    apply to every teacher), so each pair is worked out once per book; callers never change the frames."""
    key = (rule.applies_to, rule.sheet)
    if key not in ctx.chosen:
        subjects = ctx.attrs[evaluate(rule.applies_to, ctx.attrs)]
        rows = ctx.frames[rule.sheet]
        ctx.chosen[key] = subjects, rows[rows["teacher_id"].isin(set(subjects["teacher_id"]))]
    return ctx.chosen[key]


def _listed_values(rule: Rule) -> list[str]:
    if not rule.metric_spec.whole or not rule.field:
        return []
    for t in rule.condition.terms:
        if t.key == rule.field and t.op == "=":
            return list(dict.fromkeys(t.values))  # 跨学科|跨学科 is one type, not two alerts
    return []


# -- groups ------------------------------------------------------------------------------------

def _group_grid(rule: Rule, ctx: Context, windows: Windows, kind: SubjectType) -> Grid | None:
    column = "t:teaching_group" if kind is SubjectType.TEACHING_GROUP else "t:lesson_group"
    names = pd.DataFrame({column: group_names(ctx.attrs, column)})
    # 适用对象 may narrow the groups (教研组=语文组); other teacher attributes do not apply to a group.
    own = rule.applies_to.model_copy(update={"terms": tuple(t for t in rule.applies_to.terms if t.key == column)})
    names = names[evaluate(own, names)]
    if not len(names):
        return None
    rows = ctx.frames[rule.sheet]
    rows = rows[rows["group"].isin(set(names[column]))]
    values = _listed_values(rule)
    gid = names[column].to_numpy()
    if values:
        keys = _listed_keys(gid, values)
        detail = rows[rule.field].astype("object")
    else:
        keys = {"subject": gid, "detail": _full(len(gid), ""), "detail_name": _full(len(gid), ""),
                "detail_label": _full(len(gid), None)}
        keys["detail_label"][:] = [f"{kind.word} {g}" for g in gid]
        detail = None
    actual = _actuals(rule, ctx, rows, detail, windows.periods, subject_col="group")
    matrix = np.ones((len(keys["subject"]), ctx.cal.days), dtype=bool)
    grid = _grid(keys, windows, matrix)
    grid["subject_type"] = kind.value
    grid["subject_name"] = grid["subject"]
    grid["group"] = grid["subject"] if kind is SubjectType.TEACHING_GROUP else None
    return _with_actual(grid, actual)


# -- shared ------------------------------------------------------------------------------------

# A rule's subjects and details (subject, detail, detail_name, detail_label) as columns of arrays.
Keys = dict[str, np.ndarray]


def _full(n: int, value: Any) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out[:] = [value] * n
    return out


def _listed_keys(subjects: np.ndarray, values: list[str]) -> Keys:
    """Each subject once per listed value (R18: every type of activity is counted apart)."""
    listed = np.array(values, dtype=object)
    detail = np.tile(listed, len(subjects))
    return {"subject": np.repeat(subjects, len(values)), "detail": detail, "detail_name": detail,
            "detail_label": detail}


def _actuals(rule: Rule, ctx: Context, rows: pd.DataFrame, detail: pd.Series | None, periods: pd.DataFrame,
             subject_col: str) -> Actuals:
    """actual per (subject, detail, period_id), only for the keys that have rows. ``detail``: each row's
    detail (its apprentice, its listed value), aligned with ``rows``; None: "" for every row."""
    if not len(rows):
        return {}
    if subject_col == "teacher_id":
        rows = with_attributes(rows, ctx.attrs, attribute_keys(rule.condition))
    pid = _period_ids(ctx, rows, periods)
    inside = pid >= 0
    # The condition is a test of each row on its own: asked of every row, kept where the row is inside.
    match = evaluate(rule.condition, rows).to_numpy(dtype=bool)
    keys = [subject_col, "_detail", "period_id"]
    metric = rule.metric_spec
    if not metric.sums:
        # Whole counts: exact in any order, so counted in Python rather than by a pandas groupby, which
        # costs more than the counting on a small book.
        subject = rows[subject_col].to_numpy()
        details = np.full(len(rows), "", dtype=object) if detail is None else detail.to_numpy()
        known = inside & ~(pd.isna(subject) | pd.isna(details))  # a groupby drops blank keys; so does this
        hit = known & match
        hits = Counter(zip(subject[hit], details[hit], pid[hit]))
        if not metric.is_share:
            return {key: float(n) for key, n in hits.items()}
        # 占比: matching rows ÷ all the subject's rows, 0 where none matched
        totals = Counter(zip(subject[known], details[known], pid[known]))
        return {key: hits.get(key, 0) / float(n) for key, n in totals.items()}
    rows = rows.assign(_detail=detail if detail is not None else "")[inside]
    pid, match = pid[inside], match[inside]
    rows = rows.assign(period_id=pid)
    if rule.sheet == CREDITS_SHEET and rule.field == "credits" and ctx.caps:
        sums = capped_by_category(rows[match], ctx.caps, keys).groupby(keys, sort=False)["credits"].sum()
    else:  # sums of a field keep pandas' (compensated) summation, so the totals stay bit for bit
        value = rows[rule.field].astype("float64").fillna(0.0).where(match, 0.0)
        g = pd.DataFrame({subject_col: rows[subject_col], "_detail": rows["_detail"],
                          "period_id": rows["period_id"], "actual": value})
        sums = g.groupby(keys, sort=False)["actual"].sum()
    return dict(zip(sums.index, sums.to_numpy(dtype="float64")))


def _period_ids(ctx: Context, rows: pd.DataFrame, periods: pd.DataFrame) -> np.ndarray:
    """``assign_periods`` of the rows' dates, once per rows and period kind: the rules of one sheet, 适用对象
    and period kind share their rows (``_teachers_and_rows``), and so the period each row falls in."""
    key = (id(rows), id(periods))
    cached = ctx.period_ids.get(key)
    if cached is not None and cached[0] is rows and cached[1] is periods:  # (both kept alive by the entry)
        return cached[2]
    pid = assign_periods(rows["date"], periods).to_numpy()
    pid.flags.writeable = False
    ctx.period_ids[key] = (rows, periods, pid)
    return pid


@dataclass(slots=True)
class Windows:
    """The started periods of one kind with what every rule of that kind measures them by: the same for
    all rules (the as-of date and the calendar are the book's), so worked out once per book and kind."""
    periods: pd.DataFrame
    start: np.ndarray  # day index of each period's first day
    end: np.ndarray  # ... and of its last day
    upto: np.ndarray  # its last day, or the as-of date when that comes first
    after_as_of: np.ndarray  # bool: the period ends after the as-of date
    measure: np.ndarray  # period_days: a normal window's school days, else the period's own
    short: np.ndarray  # bool: under half a normal window's school days, so it requires nothing
    columns: dict[str, np.ndarray]  # the periods' columns as arrays, for building grids without pandas joins
    school_days: np.ndarray  # Context.school_days


def started_windows(ctx: Context, kind: str) -> Windows:
    """The periods of ``kind`` that have started by the as-of date, cached on ``ctx``."""
    cached = ctx.windows.get(kind)
    if cached is not None:
        return cached
    windows = _started_windows(ctx.cal, ctx.as_of, kind) if getattr(ctx.periods, "cal", None) is ctx.cal else None
    if windows is None or not np.array_equal(windows.school_days, ctx.school_days):
        windows = _windows_of(ctx.periods[kind], ctx.cal, ctx.as_of, ctx.school_days)
    ctx.windows[kind] = windows
    return windows


@functools.lru_cache(maxsize=64)
def _started_windows(cal: Calendar, as_of: pd.Timestamp, kind: str) -> Windows:
    # The same for every book with this calendar and as-of date (a district's roll-up, one term's
    # uploads): a warm worker works them out once. Read-only arrays: no rule may change what others share.
    windows = _windows_of(_period_table(cal, kind), cal, as_of, school_days_of(cal))
    for values in (windows.start, windows.end, windows.upto, windows.after_as_of, windows.measure, windows.short,
                   *windows.columns.values()):
        values.flags.writeable = False
    return windows


@functools.lru_cache(maxsize=64)
def school_days_of(cal: Calendar) -> np.ndarray:
    """``cal.school_day_mask()``, worked out once per calendar; read-only."""
    days = cal.school_day_mask()
    days.flags.writeable = False
    return days


def _windows_of(periods: pd.DataFrame, cal: Calendar, as_of: pd.Timestamp, school_days: np.ndarray) -> Windows:
    periods = periods[periods["period_start"] <= as_of].reset_index(drop=True)
    start = cal.day_index(periods["period_start"]).astype("int64")
    end = cal.day_index(periods["period_end"]).astype("int64")
    as_of_idx = int(cal.day_index(pd.Series([as_of]))[0])
    period_school = days_in(school_days[None, :], start, end)[0]
    normal = normal_window_days(periods)
    return Windows(
        periods=periods, start=start, end=end, upto=np.minimum(end, as_of_idx), after_as_of=end > as_of_idx,
        measure=np.where(normal > 0, normal, period_school), short=(normal > 0) & (period_school * 2 < normal),
        columns={c: periods[c].to_numpy() for c in periods.columns}, school_days=school_days,
    )


# A rule's grid as columns of arrays: one DataFrame is made of it, at the end (``_states``).
Grid = dict[str, Any]


def _grid(keys: Keys, w: Windows, matrix: np.ndarray) -> Grid:
    """Every key row × every started period with applicable school days, with those days (whole period
    and elapsed), the school days of a normal window (``period_days``), and whether the subject's time in
    post inside the period is already over (``ended``). Built from arrays in one go: a rule's grid is
    rebuilt for every rule, and pandas joins cost more than the arithmetic here."""
    school = matrix & w.school_days[None, :]
    applicable = days_in(school, w.start, w.end).reshape(-1)
    elapsed = days_in(school, w.start, w.upto).reshape(-1)
    # calendar days: a teacher still in post after the as-of date (school or not) is not done yet
    ended = ((days_in(matrix, w.start, w.end) == days_in(matrix, w.start, w.upto)) & w.after_as_of[None, :]).reshape(-1)
    k, p = len(keys["subject"]), len(w.start)
    keep = applicable > 0
    key_row = np.repeat(np.arange(k), p)[keep]
    period_row = np.tile(np.arange(p), k)[keep]
    data = {c: values[key_row] for c, values in keys.items()}
    data.update({c: values[period_row] for c, values in w.columns.items()})
    data["applicable_days"] = applicable[keep]
    data["elapsed_days"] = elapsed[keep]
    data["period_days"] = w.measure[period_row]
    data["short_window"] = w.short[period_row]
    data["ended"] = ended[keep]
    return data


def _with_actual(grid: Grid, actual: Actuals) -> Grid:
    """The grid with each row's ``actual`` (0 where nothing was counted). A dictionary look-up rather than
    a merge: the grid is small and a merge is most of a rule's time on a small book."""
    values = np.array([actual.get(key, 0.0) for key in zip(grid["subject"], grid["detail"], grid["period_id"])],
                      dtype="float64")
    grid["actual"] = np.where(np.isnan(values), 0.0, values)
    return grid


def counted_label(rule: Rule) -> str:
    """What a teacher rule counts, in words a teacher reads (达标预警's 明细, the JSON's detail): its
    condition said in words, else its sheet (and the summed field), e.g. `类型为教育刊物`, `听课记录`,
    `培训记录的天数` — never the 规则 sheet's syntax (``类型=教育刊物``, ``培训记录·天数``)."""
    if rule.condition.terms:
        return condition_words(rule.condition)
    if rule.sheet == CREDITS_SHEET:  # a number other than the credits the name says (学分的学时)
        sheet = CREDIT_LEDGER.name
        col = next((c for c in CREDIT_LEDGER.columns if c.key == rule.field), None)
        field = col.header if col is not None and col.kind == "number" and col.header != sheet else ""
    else:
        spec = SHEETS[rule.sheet]
        sheet = spec.name
        field = spec.column(rule.field).header if rule.field and rule.metric_spec.sums else ""
    return f"{sheet}的{field}" if field else sheet


def whole_half_up(x: np.ndarray, decimals: int = 0) -> np.ndarray:
    """Round half up (not to even): 0.5 item is 1 item. The tiny nudge absorbs binary error in
    products like 20 × 69/138."""
    scale = 10.0 ** decimals
    return np.floor(x * scale + 0.5 + 1e-9) / scale


def _requirements(grid: Grid, rule: Rule, open_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(required, expected): see the module docstring. Days are school days; a window with under half
    a normal window's school days requires nothing. On arrays: a rule's grid is small, and pandas'
    per-operation cost was most of this."""
    n = len(grid["subject"])
    if rule.lower is None:
        return np.full(n, np.nan), np.full(n, np.nan)
    if rule.metric_spec.is_share:
        required = np.full(n, float(rule.lower))
        return required, np.where(open_, required, np.nan)
    counting = rule.metric_spec.whole
    measure = np.asarray(grid["period_days"], dtype="float64")
    share = np.minimum(np.asarray(grid["applicable_days"]), measure) / measure
    elapsed = np.minimum(np.asarray(grid["elapsed_days"]), measure) / measure
    none = np.asarray(grid["short_window"], dtype=bool)
    required = np.where(~none, whole_half_up(rule.lower * share, 0 if counting else 1), 0.0)
    expected = np.where(~none, rule.lower * elapsed, 0.0)
    if counting:
        expected = np.floor(expected + 1e-9)
    return required, np.where(open_, expected, np.nan)


def _states(grid: Grid, rule: Rule, ctx: Context) -> pd.DataFrame:
    n = len(grid["subject"])
    closed = np.asarray(grid["period_end"]) < ctx.as_of.to_datetime64()
    # A teacher whose time in post inside an open period is over (left, or exempt past its end): the
    # period is final for them now, judged against the pro-rated requirement, with no pace.
    final = ~closed & np.asarray(grid["ended"], dtype=bool) & (np.asarray(grid["subject_type"]) == SubjectType.TEACHER.value)
    done = closed | final
    paced = rule.pace == PACE_PACED
    required, expected = _requirements(grid, rule, ~done if paced else np.zeros(n, dtype=bool))
    actual = np.asarray(grid["actual"], dtype="float64")
    over = (actual > rule.upper) if rule.upper is not None else np.zeros(n, dtype=bool)
    state = np.select(
        [over, done & (actual < required), ~done & (actual < expected)],
        [State.OVER.value, State.FAILED.value, State.BEHIND.value],
        default=State.MET.value,
    )
    # An alert for an upper bound shows the bound it went over.
    required = np.where(~over, required, float(rule.upper) if rule.upper is not None else np.nan)
    reason = _final_reason(grid, ctx) if final.any() else np.full(n, FINAL_LEAVE)
    columns = {**grid, **dict(
        closed=done, required=required, expected=expected, state=state,
        lower=rule.lower, upper=rule.upper, rule_id=rule.rule_id, rule_name=rule.name,
        severity=rule.severity, consequence=rule.consequence,
        final_reason=np.where(final, reason, ""),
    )}
    # One frame, made once, in the columns' order: a column added at a time cost most of a rule.
    # (A scalar is spread over the rows with the dtype ``assign`` gives it: None object, a string str.)
    return pd.DataFrame({c: columns[c] for c in PROGRESS_COLUMNS}, index=pd.RangeIndex(n))


def _final_reason(grid: Grid, ctx: Context) -> np.ndarray:
    """已离校 when the subject's 离校日期 falls before the period's end, else 休假 (an exemption)."""
    leave = ctx.attrs.set_index("teacher_id")["leave_date"]
    left = pd.to_datetime(leave.reindex(grid["subject"]).to_numpy())
    gone = pd.notna(left) & (left <= np.asarray(grid["period_end"]))
    return np.where(gone, FINAL_LEFT, FINAL_LEAVE)
