"""The words results are made of: a rule's state for a subject and period, and who a subject is.

Each is a :class:`~enum.StrEnum` whose value is what the JSON contract (README) and the data
frames carry — the Chinese word for a state, ``teacher`` / 教研组 / 备课组 for a subject type —
so a member compares, hashes and serialises as that string. Labels, ranks and fills hang off the
member, so no module spells them again.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """A rule's state for one subject and period."""

    MET = "达标"
    BEHIND = "进度落后"
    FAILED = "未达标"
    OVER = "超出上限"

    @property
    def rank(self) -> int:
        """How bad: 未达标 3 > 超出上限 2 > 进度落后 1 > 达标 0 (worst listed first)."""
        return _RANK[self]

    @property
    def zh(self) -> str:
        return self.value

    @property
    def en(self) -> str:
        return _EN[self]

    def label(self, lang: str) -> str:
        return self.value if lang == "zh" else _EN[self]

    @property
    def fill(self) -> str:
        """The cell fill (RRGGBB) a state is shown with on every tab, in every door."""
        return _FILL[self]

    @property
    def failed(self) -> bool:
        """A shortfall that counts against the teacher: a closed lower bound missed, or an upper
        bound exceeded."""
        return self in (State.FAILED, State.OVER)


_RANK = {State.FAILED: 3, State.OVER: 2, State.BEHIND: 1, State.MET: 0}
_EN = {State.MET: "met", State.BEHIND: "behind", State.FAILED: "not met", State.OVER: "over limit"}
_FILL = {State.MET: "C6EFCE", State.BEHIND: "FFEB9C", State.FAILED: "FFC7CE", State.OVER: "F4B183"}


class SubjectType(StrEnum):
    """Who a progress row is about. The value is what results carry; :attr:`word` is how the
    规则 sheet's 适用对象 names it (对象=教师 / 教研组 / 备课组)."""

    TEACHER = "teacher"
    TEACHING_GROUP = "教研组"
    LESSON_GROUP = "备课组"

    @property
    def word(self) -> str:
        return "教师" if self is SubjectType.TEACHER else self.value

    def label(self, lang: str, plural: bool = False) -> str:
        if lang == "zh":
            return self.word
        return _SUBJECT_EN[self][1 if plural else 0]

    @property
    def order(self) -> int:
        """Teachers first, then 教研组, then 备课组."""
        return list(SubjectType).index(self)

    @property
    def is_group(self) -> bool:
        return self is not SubjectType.TEACHER

    @classmethod
    def from_word(cls, word: str) -> SubjectType | None:
        """The subject type a 规则 sheet word names; None if it names none."""
        return next((s for s in cls if s.word == word), None)

    @classmethod
    def words(cls) -> tuple[str, ...]:
        return tuple(s.word for s in cls)


_SUBJECT_EN = {SubjectType.TEACHER: ("teacher", "teachers"),
               SubjectType.TEACHING_GROUP: ("teaching group", "groups"),
               SubjectType.LESSON_GROUP: ("lesson group", "lesson groups")}
