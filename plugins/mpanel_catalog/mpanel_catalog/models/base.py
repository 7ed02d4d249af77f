"""Column helpers shared by the catalogue's tables."""

from flask_appbuilder import Model
from sqlalchemy import Column, Enum, ForeignKey, Integer, Numeric, String, Table, text

# Money: Decimal with four places, always stored beside (or under) a currency.
MONEY = Numeric(20, 4)


def money(nullable: bool = False, **kwargs) -> Column:
    if not nullable:
        kwargs.setdefault("default", 0)
        kwargs.setdefault("server_default", "0")
    return Column(MONEY, nullable=nullable, **kwargs)


def currency_column(nullable: bool = False) -> Column:
    return Column(String(3), nullable=nullable)


def choice(values, name: str, **kwargs) -> Column:
    """A string limited to ``values`` by a CHECK constraint (FAB renders a select)."""
    return Column(Enum(*values, name=name, native_enum=False, create_constraint=True, length=32), **kwargs)


def association(name: str, left: tuple[str, str], right: tuple[str, str]) -> Table:
    """A many-to-many table between two tenant tables; ``left``/``right``: (column, "table.id").

    Its tenant column is filled by the database from the transaction's scope, so
    row-level security applies to it like to every tenant table.
    """
    return Table(
        name, Model.metadata,
        Column("tenant_id", Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True,
               server_default=text("mpanel_current_tenant()")),
        *(Column(column, Integer, ForeignKey(target, ondelete="CASCADE"), primary_key=True)
          for column, target in (left, right)),
    )
