"""Column helpers shared by the catalogue's tables."""

from flask_appbuilder import Model
from sqlalchemy import Column, Enum, ForeignKey, Integer, Table, text


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
