"""Where each subject stands on each rule at the as-of date: one definition for the school archive's
overview and the district roll-up, so the two never give two answers for one rule.

A subject (a teacher or a group) stands, on one rule, at the worst of its periods:
- 未达标 (``FAILED``): some period is 未达标 or 超出上限;
- 进度落后 (``BEHIND``): otherwise, some open period is behind its pace;
- 进行中 (``IN_PROGRESS``): otherwise, some period not yet over still has its requirement ahead (a
  yearly 仅期末 sum in November, a count on pace): neither met nor a failure yet;
- 达标 (``MET``): every started period has reached its requirement (closed and met, or open and
  already met).

A rule's rate is 达标 ÷ the subjects judged (达标 + 进度落后 + 未达标); 进行中 is counted apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..contract.states import State

if TYPE_CHECKING:
    import pandas as pd

# Ranks, worst highest: a subject takes the highest rank among its periods.
MET, IN_PROGRESS, BEHIND, FAILED = 0, 1, 2, 3
SUBJECT_KEYS = ["rule_id", "subject_type", "subject"]


def period_standing(progress: pd.DataFrame) -> pd.Series:
    """Each progress row's rank (``MET`` … ``FAILED``)."""
    state = progress["state"]
    open_short = (state == State.MET) & ~progress["closed"].astype(bool) & progress["required"].notna() & \
        (progress["actual"].fillna(0) < progress["required"])
    rank = open_short.astype("int8")  # MET 0, IN_PROGRESS 1
    rank = rank.mask(state == State.BEHIND, BEHIND)
    return rank.mask(state.isin([State.FAILED, State.OVER]), FAILED)


def subject_standing(progress: pd.DataFrame, *, sort: bool = False) -> pd.Series:
    """Each (rule_id, subject_type, subject)'s rank: the worst of its periods."""
    return period_standing(progress).groupby([progress[k] for k in SUBJECT_KEYS], sort=sort).max()


# The counts' names in every output (a RuleRate's keys, the JSON's order), with their ranks.
STANDINGS = (("met", MET), ("in_progress", IN_PROGRESS), ("behind", BEHIND), ("failed", FAILED))


def rule_counts(progress: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per rule id: how many subjects stand where (``met``, ``in_progress``, ``behind``, ``failed``);
    a rule without progress rows is absent."""
    if not len(progress):
        return {}
    tally = subject_standing(progress).groupby(level="rule_id", sort=False).value_counts().to_dict()
    return {rule_id: {name: int(tally.get((rule_id, rank), 0)) for name, rank in STANDINGS}
            for rule_id in dict.fromkeys(rule_id for rule_id, _ in tally)}


def rate_of(met: int, judged: int) -> float | None:
    """达标 ÷ judged (rounded as every output prints it), or None when no subject is judged yet."""
    return round(met / judged, 4) if judged else None
