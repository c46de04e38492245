"""What a sheet's rows do besides being counted: earn credits, or take days out of a teacher's duty.

Each is a small record a ``SheetSpec`` carries (``credit``, ``exempts``), so the engine finds the sheets
by the fact and loops over them: a new credited or exempting sheet is a SheetSpec, not a new function.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CreditRule(BaseModel):
    """How one row of a credited sheet earns its credits (engine.credits):

    - the credits typed in ``typed`` win;
    - else ``hours`` × the settings' rate of the row's ``rate_by`` value (培训记录: 学时 × its 类别's rate),
      or the settings' table of credits by ``table_by`` = (type, level) columns (成果记录: 类型 + 级别,
      the type's any-level value when the level has none), or 0 when neither is given;
    - a row whose ``void_column`` holds one of ``void_values`` earns 0 (缺勤 and 请假: nothing attended);
    - in the credit ledger the row's category is ``category_column``'s value, or ``category`` when fixed;
      its 级别 is ``level_column``'s and its 学时 ``hours``' (blank when None);
    - ``ledger_needs``: the ledger fields (``level``, ``hours``) a 学分 rule that sums or tests them cannot
      do without from this sheet: a book whose sheet lacks that column leaves such a rule not evaluated
      (engine.rule_inputs). A field not listed reads blank where the column is missing (成果记录's 级别).
    """

    model_config = ConfigDict(frozen=True)

    typed: str = "credits"
    hours: str | None = None
    rate_by: str | None = None
    table_by: tuple[str, str] | None = None
    void_column: str | None = None
    void_values: tuple[str, ...] = ()
    category_column: str | None = None
    category: str = ""
    level_column: str | None = "level"  # the ledger's 级别 (a rule's condition may name it)
    ledger_needs: tuple[str, ...] = ()

    def ledger_column(self, field: str) -> str | None:
        """This sheet's column that feeds the credit ledger's ``field`` (level, hours), if any."""
        return {"level": self.level_column, "hours": self.hours}.get(field)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column key the rule reads (each must be one of the sheet's)."""
        named = (self.typed, self.hours, self.rate_by, *(self.table_by or ()), self.void_column,
                 self.category_column, self.level_column)
        return tuple(c for c in named if c)


class ExemptSpan(BaseModel):
    """Its rows take days out of a teacher's applicable days (engine.availability): from the date in
    ``start`` to the one in ``end``, both inclusive, for the rule whose 编号 is in ``rule`` (blank: every
    rule). The teacher is the row's 工号 (``teacher_id``)."""

    model_config = ConfigDict(frozen=True)

    start: str = "start"
    end: str = "end"
    rule: str = "rule_id"
    reason: str | None = "reason"  # why, as the 个人培训档案 shows it

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.start, self.end, self.rule, self.reason) if c)
