"""Text shown to people, in Chinese first and English on request, carried one way.

A :class:`Text` is a template in both languages; it is rendered in one language only when it is
shown, and a Text given as a parameter of another is rendered in the same language — so a reason
travels from where it is found (a condition, a setting, a rule that cannot run) to a message
without being fixed to Chinese on the way. A :class:`Catalogue` names texts by a stable code: the
findings catalogue (:mod:`.findings`) is one, the buttons', tabs', archive's, roll-up's, CLI's and
service's lines are others (each beside the code that shows them; :data:`CATALOGUES` lists them all).
:data:`WORDS` holds the joins every two-language sentence is built with (、/, ；/; （…）/ (…)).

This module is the one place a language is compared with ``"zh"`` or ``"en"``: elsewhere words are
chosen by code, a language asked for is read with :func:`lang_or`, and a refusal is a
:class:`BilingualError` raised with a catalogue entry (``tests/test_one_language.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


def lang_or(value: object, default: Lang = "zh") -> Lang:
    """``value`` as a :data:`Lang` when it names one (a query parameter, a cookie, a request field),
    else ``default``: Chinese unless English is asked for."""
    return next((lang for lang in LANGS if lang == value), default)


def other_lang(lang: Lang) -> Lang:
    """The language not ``lang`` (the tabs a run in ``lang`` replaces are named in it)."""
    return next(other for other in LANGS if other != lang)


class Text(Mapping[str, str]):
    """A template in both languages (``str.format`` fields); reads as ``{"zh": ..., "en": ...}``."""

    __slots__ = ("zh", "en")

    def __init__(self, zh: str, en: str = ""):
        self.zh = zh
        self.en = en or zh

    def __getitem__(self, lang: str) -> str:
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        raise KeyError(lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)

    def __hash__(self) -> int:
        return hash((self.zh, self.en))

    def __repr__(self) -> str:
        return f"Text({self.zh!r}, {self.en!r})"

    def render(self, lang: Lang = "zh", **params: Any) -> str:
        """The text in ``lang``, its fields filled from ``params`` (Text values in ``lang`` too).
        A field without a parameter is a KeyError: a caller's mistake, not a text to show half-filled.
        A Text given as a parameter is finished text (a reason built with what was typed, which may hold
        ``{``): it is put in as it reads, never formatted again."""
        values = {k: v[lang] if _is_text(type(v)) else v for k, v in params.items()}
        return self[lang].format(**values)

    def fill(self, **params: Any) -> Text:
        """Both languages filled: a Text that is still both languages."""
        return Text(self.render("zh", **params), self.render("en", **params))


_TEXT_TYPES: dict[type, bool] = {}


def _is_text(kind: type) -> bool:
    """``isinstance(v, Text)`` by ``type(v)``, remembered: Text is a Mapping, and an ABC's isinstance
    check costs a Python call per value (a text report of 9,000 findings renders 30,000 texts)."""
    known = _TEXT_TYPES.get(kind)
    if known is None:
        known = _TEXT_TYPES[kind] = issubclass(kind, Text)
    return known


class BilingualError(Exception):
    """A refusal shown to people as one line: ``message(lang)`` in Chinese or English."""

    def __init__(self, zh: str | Text, en: str = ""):
        reason = zh if isinstance(zh, Text) else Text(zh, en)  # a catalogue's entry, filled, or the two lines
        super().__init__(reason.en)
        self.reason = reason

    def message(self, lang: str = "zh") -> str:
        return self.reason.en if lang == "en" else self.reason.zh

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its state, not by calling ``__init__`` again (whose parameters differ per
        # subclass): a refusal raised in a worker process reaches the parent as the same refusal.
        return (_rebuilt, (type(self), self.args, self.__dict__))


def _rebuilt(cls: type[BilingualError], args: tuple[Any, ...], state: dict[str, Any]) -> BilingualError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class Catalogue:
    """Texts named by stable codes; a code defined twice is a mistake caught at import. Every
    catalogue built is listed in :data:`CATALOGUES` (a test reads each entry in both languages)."""

    def __init__(self, name: str, texts: Mapping[str, tuple[str, str]] | None = None):
        self.name = name
        self._texts: dict[str, Text] = {}
        for code, (zh, en) in (texts or {}).items():
            self.define(code, zh, en)
        CATALOGUES.append(self)

    def define(self, code: str, zh: str, en: str) -> Text:
        if code in self._texts:
            raise ValueError(f"{self.name}: text {code!r} defined twice")
        self._texts[code] = Text(zh, en)
        return self._texts[code]

    def __getitem__(self, code: str) -> Text:
        return self._texts[code]

    def __contains__(self, code: object) -> bool:
        return code in self._texts

    def codes(self) -> list[str]:
        return list(self._texts)

    def render(self, code: str, lang: Lang = "zh", **params: Any) -> str:
        return self._texts[code].render(lang, **params)

    def items(self) -> list[tuple[str, Text]]:
        return list(self._texts.items())


CATALOGUES: list[Catalogue] = []

# The joins and asides every sentence in two languages is built with: Chinese punctuation is full
# width and closes up, English puts a space after it. Named here once rather than chosen inline.
WORDS = Catalogue("common", {
    "list-sep": ("、", ", "),            # 张伟、李娜 / Zhang Wei, Li Na
    "clause-sep": ("；", "; "),           # clauses of one cell
    "alert-sep": ("，", ", "),
    "colon": ("：", ": "),
    "full-stop": ("。", ". "),
    "two-clauses": ("{first}；{second}", "{first}; {second}"),
    "sentences": ("{first}{second}", "{first} {second}"),  # 该行未计入。已按…  / Not counted. Read as…
    "aside": ("（{aside}）", " ({aside})"),
    "with-aside": ("{head}（{aside}）", "{head} ({aside})"),
    "labelled": ("{label}：{value}", "{label}: {value}"),
    "after-colon": ("：{text}", ": {text}"),
    "number-unit": ("{number}{unit}", "{number} {unit}"),
})


def joined(lang: Lang, parts: Iterable[str], sep: str = "clause-sep") -> str:
    """``parts`` joined by the catalogue's separator ``sep`` in ``lang`` (``list-sep``, ``clause-sep``)."""
    return WORDS[sep][lang].join(parts)


def both_languages(text: Text, sep: str = " / ", **params: Any) -> str:
    """``text`` in Chinese, ``sep``, then in English, on one line: for the words shown before a language
    is chosen or to every reader at once (a command's ``--help``, a usage line, a file's properties).
    ``sep`` is the join the line uses (`` / ``, or ``/ `` after a full-width bracket)."""
    return f"{text.render('zh', **params)}{sep}{text.render('en', **params)}"
