"""The words results are made of: a rule's state for a subject and period, and who a subject is.

Each is a :class:`~enum.StrEnum` whose value is what the JSON contract (README) and the data
frames carry — the Chinese word for a state, ``teacher`` / 教研组 / 备课组 for a subject type —
so a member compares, hashes and serialises as that string. Labels, ranks and fills hang off the
member, so no module spells them again.
"""

from __future__ import annotations

from enum import StrEnum

from .texts import Catalogue, Lang, Text


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
        return self.text.en

    @property
    def text(self) -> Text:
        """The state's word in both languages (达标, met)."""
        return STATE_WORDS[self.name.lower()]

    def label(self, lang: Lang) -> str:
        return self.text[lang]

    @classmethod
    def label_of(cls, word: str, lang: Lang) -> str:
        """A state's word as a frame carries it (达标) in ``lang``; a word that is no state, as it is."""
        return cls(word).label(lang) if word in _VALUES else word

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
_VALUES = frozenset(State)
# The states' words by the member's name; the Chinese word is the member's value.
STATE_WORDS = Catalogue("states", {
    "met": ("达标", "met"), "behind": ("进度落后", "behind"), "failed": ("未达标", "not met"),
    "over": ("超出上限", "over limit"),
})
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

    def label(self, lang: Lang, plural: bool = False) -> str:
        return SUBJECT_WORDS.render(self.name.lower() + ("-plural" if plural else ""), lang)

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


# Who a subject is, by the member's name (Chinese: the 规则 sheet's word, one form for one and many).
SUBJECT_WORDS = Catalogue("subject types", {
    "teacher": ("教师", "teacher"), "teacher-plural": ("教师", "teachers"),
    "teaching_group": ("教研组", "teaching group"), "teaching_group-plural": ("教研组", "groups"),
    "lesson_group": ("备课组", "lesson group"), "lesson_group-plural": ("备课组", "lesson groups"),
})
