"""The condition / 适用对象 language of the 规则 sheet: parsed into a tiny AST, never evaluated as code.

Grammar (one cell)::

    condition := term ( 且 term )*          -- also accepted: 并且, &, and
    term      := field op value | field      -- a bare field means ``field=是`` (有师傅, 是师傅)
    op        := = | != | < | <= | > | >= | 含
    value     := alt ( | alt )*              -- ``类型=跨学科|跨学段``: any of them

Fields are named by a column header (Chinese or English alias) or English key of the rule's sheet,
or by a teacher attribute (``TEACHER_ATTRIBUTES``). ``bind_condition`` resolves the names against a
sheet, so an unknown field is reported when the policy is read, not when it is computed.
Special values: ``授课教师=师傅`` (the observed teacher is the observer's mentor) and
``授课教师=徒弟`` (one of the observer's apprentices; such a rule is counted per apprentice).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict

from .schema import SHEETS
from .states import SubjectType
from .texts import Catalogue, Text

Op = Literal["=", "!=", "<", "<=", ">", ">=", "含"]
ORDER_OPS = ("<", "<=", ">", ">=")

# Derived teacher attributes; keys start with "t:" so they never collide with a sheet column key.
TEACHER_ATTRIBUTES: dict[str, str] = {
    "年龄": "t:age", "age": "t:age",
    "教龄": "t:seniority", "seniority": "t:seniority", "years teaching": "t:seniority",
    "岗位": "t:roles", "职务": "t:roles", "roles": "t:roles", "role": "t:roles",
    "有师傅": "t:has_mentor", "has mentor": "t:has_mentor", "hasmentor": "t:has_mentor",
    "是师傅": "t:is_mentor", "is mentor": "t:is_mentor", "ismentor": "t:is_mentor",
    "师傅": "t:mentor", "mentor": "t:mentor",
    "徒弟": "t:apprentice", "apprentice": "t:apprentice",
    "教研组": "t:teaching_group", "teaching group": "t:teaching_group",
    "备课组": "t:lesson_group", "lesson group": "t:lesson_group",
    "性别": "t:gender", "gender": "t:gender",
    "工号": "t:teacher_id",
    "对象": "t:subject_type", "subject": "t:subject_type",
}
NUMERIC_ATTRIBUTES = {"t:age", "t:seniority"}
BOOLEAN_ATTRIBUTES = {"t:has_mentor", "t:is_mentor"}
LIST_ATTRIBUTES = {"t:roles"}  # the roster's 岗位, a list
SUBJECT_TYPES = SubjectType.words()  # 教师, 教研组, 备课组
MENTOR_VALUE, APPRENTICE_VALUE = "师傅", "徒弟"
TRUE_WORDS = {"是", "有", "true", "yes", "1", "y"}
FALSE_WORDS = {"否", "无", "没有", "false", "no", "0", "n"}

# Longest operators first so `<=` is not read as `<`. No `\s*` around them: re.split retries at every
# position, so a run of spaces before a missing operator would be scanned again from each space
# (quadratic); the pieces are stripped instead.
_OP_RE = re.compile(r"(<=|>=|!=|<>|≠|≤|≥|=|<|>|不含|包含|含)")
_AND_RE = re.compile(r"且|并且|&&|&|\band\b", re.IGNORECASE)
# A real condition is a few terms; a longer cell is a paste accident, refused before any parsing.
MAX_CONDITION_CHARS = 500
_OP_CANON = {"<>": "!=", "≠": "!=", "≤": "<=", "≥": ">=", "包含": "含"}


# Why a condition cell cannot be used.
CONDITION_REASONS = Catalogue("condition reasons", {
    "not-a-term": ("「{part}」不是 字段 运算符 值 的形式", "'{part}' is not of the form field operator value"),
    "no-field": ("「{part}」缺少字段名", "'{part}' has no field name"),
    "no-value": ("「{part}」缺少比较的值", "'{part}' has no value to compare with"),
    "bad-date": ("「{v}」不是有效日期", "'{v}' is not a valid date"),
    "one-value-only": ("「{op}」只能比较一个值", "'{op}' compares with one value only"),
    "not-comparable": ("「{value}」不是数字或日期，不能用「{op}」比较",
                                "'{value}' is neither a number nor a date; '{op}' cannot compare it"),
    "unknown-field": ("未知字段「{field}」", "unknown field '{field}'"),
    "number-op": ("「{field}」是数字，不能用「{op}」", "'{field}' is a number; '{op}' does not apply"),
    "needs-number": ("「{field}」须与数字比较，而不是「{v}」", "'{field}' compares with a number, not '{v}'"),
})


class ConditionError(ValueError):
    """A condition cell that cannot be used; ``text`` says why in both languages (``reason``: in
    Chinese)."""

    def __init__(self, zh: str | Text, en: str = ""):
        text = zh if isinstance(zh, Text) else Text(zh, en)
        super().__init__(text.zh)
        self.reason = text.zh
        self.text = text


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str  # as typed
    op: Op
    values: tuple[str, ...]  # alternatives; any one matches (for != : none matches)
    key: str = ""  # resolved: a sheet column key, or a "t:" teacher attribute; "" before binding
    # 师傅 or 徒弟 when the term compares a column naming a teacher (ColumnSpec.names_teacher, 授课教师)
    # with the row teacher's mentor or apprentice (授课教师=师傅 / =徒弟); "" otherwise. Set when bound.
    pairing: str = ""
    # The value is a list (岗位: 班主任、中层), so = and != ask whether it holds one of the values. Set when bound:
    # a column of kind "roles" or a ``LIST_ATTRIBUTES`` attribute.
    listed: bool = False

    @property
    def number(self) -> float:
        return float(self.values[0])


class Condition(BaseModel):
    """A conjunction of comparisons; no terms means always true."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    terms: tuple[Comparison, ...] = ()

    def __bool__(self) -> bool:  # an empty condition is "no filter"
        return bool(self.terms)

    def with_key(self, key: str) -> tuple[Comparison, ...]:
        return tuple(t for t in self.terms if t.key == key)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_condition(text: object) -> Condition:
    """Parse a condition cell. Blank -> the empty condition. Raises ``ConditionError``."""
    if text is None or (isinstance(text, float) and text != text):
        return Condition()
    raw = str(text)
    if len(raw) > MAX_CONDITION_CHARS:
        raise ConditionError(f"条件太长（{len(raw)} 个字符），最多 {MAX_CONDITION_CHARS} 个字符")
    s = _clean(raw)
    if not s or s in {"全部", "全体", "所有", "all", "全体教师", "所有教师", "-", "—"}:
        return Condition(text=raw.strip())
    terms = []
    for part in _AND_RE.split(s):
        if not part.strip():
            raise ConditionError("「且」前后缺少条件", "a condition is missing before or after 且")
        terms.append(_parse_term(part.strip()))
    return Condition(text=raw.strip(), terms=tuple(terms))


def _parse_term(part: str) -> Comparison:
    pieces = _OP_RE.split(part, maxsplit=1)
    if len(pieces) == 1:
        field = part.strip()
        if not field or re.search(r"[()（）'\"]", field):
            raise ConditionError(CONDITION_REASONS["not-a-term"].fill(part=part))
        return Comparison(field=field, op="=", values=("是",))
    field, op, value = (p.strip() for p in pieces)
    if not field:
        raise ConditionError(CONDITION_REASONS["no-field"].fill(part=part))
    if not value:
        raise ConditionError(CONDITION_REASONS["no-value"].fill(part=part))
    if _OP_RE.search(value):
        raise ConditionError(f"「{part}」中有多个运算符，多个条件请用「且」连接",
                             f"'{part}' has several operators; join conditions with 且")
    op = _OP_CANON.get(op, op)
    if op == "不含":
        raise ConditionError("不支持「不含」，请改写条件", "不含 (does not contain) is not supported")
    values = tuple(v.strip() for v in re.split(r"[|｜]", value) if v.strip())
    if not values:
        raise ConditionError(CONDITION_REASONS["no-value"].fill(part=part))
    for v in values:
        if _DATE_RE.match(v) and not _real_date(v):
            raise ConditionError(CONDITION_REASONS["bad-date"].fill(v=v))
    if op in ORDER_OPS:
        if len(values) != 1:
            raise ConditionError(CONDITION_REASONS["one-value-only"].fill(op=op))
        if not _is_number(values[0]) and not _DATE_RE.match(values[0]):
            raise ConditionError(CONDITION_REASONS["not-comparable"].fill(value=values[0], op=op))
    return Comparison(field=field, op=cast(Op, op), values=values)  # pydantic checks it against Op


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")


def _real_date(text: str) -> bool:
    """`2025.9.31` and `2025年13月45日` look like dates but are none: a condition must say so."""
    match = _DATE_RE.match(text)
    if match is None:
        return False
    y, m, d = map(int, match.groups())
    try:
        datetime.date(y, m, d)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _field_key(name: str) -> str:
    s = unicodedata.normalize("NFKC", name)
    s = re.sub(r"[(（\[【](必填|选填|可选)[)）\]】]", "", s)
    return re.sub(r"[\s*:：]+", "", s).lower()


def sheet_field(sheet_key: str, name: str) -> str | None:
    """The column key named ``name`` (header, alias or English key) on a data sheet, or None."""
    spec = SHEETS.get(sheet_key)
    if spec is None:
        return None
    want = _field_key(name)
    for col in spec.columns:
        if want in {_field_key(n) for n in (*col.names, col.key)}:
            return col.key
    return None


def teacher_attribute(name: str) -> str | None:
    want = _field_key(name)
    for label, key in TEACHER_ATTRIBUTES.items():
        if _field_key(label) == want:
            return key
    return None


def bind_condition(cond: Condition, sheet_key: str | None, *, extra: dict[str, str] | None = None) -> Condition:
    """Resolve every field name: first against ``sheet_key``'s columns (and ``extra`` name -> key),
    then the teacher attributes. Raises ``ConditionError`` naming the first unknown field or value."""
    bound = []
    for term in cond.terms:
        key = None
        if extra:
            key = extra.get(_field_key(term.field))
        column = None
        if key is None and sheet_key is not None and sheet_key != "teachers":
            key = sheet_field(sheet_key, term.field)
            column = SHEETS[sheet_key].column(key) if key is not None else None
        if key is None:
            key = teacher_attribute(term.field)
        if key is None:
            raise ConditionError(CONDITION_REASONS["unknown-field"].fill(field=term.field))
        pairing = _pairing(term) if column is not None and column.names_teacher else ""
        listed = column.kind == "roles" if column is not None else key in LIST_ATTRIBUTES
        _check_values(term, key)
        bound.append(term.model_copy(update={"key": key, "pairing": pairing, "listed": listed}))
    return cond.model_copy(update={"terms": tuple(bound)})


def _check_values(term: Comparison, key: str) -> None:
    if key in BOOLEAN_ATTRIBUTES:
        if term.op not in ("=", "!=") or not all(v.lower() in TRUE_WORDS | FALSE_WORDS for v in term.values):
            raise ConditionError(f"「{term.field}」只能是 是/否", f"'{term.field}' can only be 是 (yes) or 否 (no)")
    if key in NUMERIC_ATTRIBUTES and term.op not in ORDER_OPS + ("=", "!="):
        raise ConditionError(CONDITION_REASONS["number-op"].fill(field=term.field, op=term.op))
    if key in NUMERIC_ATTRIBUTES:
        for v in term.values:
            try:
                float(v)
            except ValueError:
                raise ConditionError(CONDITION_REASONS["needs-number"].fill(field=term.field, v=v)) from None
    if key == "t:subject_type":
        if term.op != "=" or not all(v in SUBJECT_TYPES for v in term.values):
            raise ConditionError("「对象」只能是 教师、教研组 或 备课组", "对象 (subject) can only be 教师, 教研组 or 备课组")


def _pairing(term: Comparison) -> str:
    """师傅 / 徒弟 when a term on a column naming a teacher asks for the row teacher's mentor or apprentice,
    else ""; either word beside another value or operator is refused."""
    if not any(v in (MENTOR_VALUE, APPRENTICE_VALUE) for v in term.values):
        return ""
    if term.op != "=" or len(term.values) != 1:
        raise ConditionError("「授课教师=师傅」或「授课教师=徒弟」不能与其他取值合用",
                             "授课教师=师傅 or 授课教师=徒弟 cannot be combined with other values")
    return term.values[0]


def subject_types(applies_to: Condition) -> tuple[str, ...]:
    """Who a rule is about: teachers unless 适用对象 names 对象=教研组 / 备课组."""
    for t in applies_to.terms:
        if t.key == "t:subject_type":
            return t.values
    return ("教师",)


def truthy(value: str) -> bool:
    return value.lower() in TRUE_WORDS


# How each comparison reads in a sentence: `类型为教育刊物`, `学时大于2`, `岗位含中层`.
_OP_WORDS: dict[str, str] = {"=": "为", "!=": "不为", "<": "小于", "<=": "不超过", ">": "大于", ">=": "不少于", "含": "含"}


def condition_words(cond: Condition) -> str:
    """A condition said in words for people who never read the 规则 sheet: ``类型=教育刊物`` is
    `类型为教育刊物`, ``类型=跨学科|跨学段 且 学时>2`` is `类型为跨学科或跨学段，学时大于2`, a bare
    field (``有师傅``) is its name."""
    parts = []
    for t in cond.terms:
        if t.op in ("=", "!=") and len(t.values) == 1 and t.values[0].lower() in TRUE_WORDS | FALSE_WORDS:
            yes = truthy(t.values[0]) == (t.op == "=")
            parts.append(t.field if yes else f"非{t.field}")
        else:
            parts.append(f"{t.field}{_OP_WORDS[t.op]}{'或'.join(t.values)}")
    return "，".join(parts)
