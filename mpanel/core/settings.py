"""Key/value settings namespaced per plugin, global and per tenant.

A plugin declares each setting as a :class:`Setting` (type, range, choices, a
check) or as a plain default whose type is taken from it; the settings form
renders the widget of the type and refuses a bad value, naming the setting.
Secret values (declared by the plugin) are encrypted at rest and only
decrypted when read through :func:`get_settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import Column, Integer, String, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import JSONB

from mpanel.core import crypto
from mpanel.core.tenancy import TenantScoped, current_tenant_id

_ENCRYPTED = "$encrypted"


class PlatformSetting(Model):
    __tablename__ = "platform_settings"
    __table_args__ = (UniqueConstraint("namespace", "key"),)

    id = Column(Integer, primary_key=True)
    namespace = Column(String(64), nullable=False)
    key = Column(String(100), nullable=False)
    value = Column(JSONB)


class TenantSetting(TenantScoped, Model):
    __tablename__ = "tenant_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "namespace", "key"),)

    id = Column(Integer, primary_key=True)
    namespace = Column(String(64), nullable=False)
    key = Column(String(100), nullable=False)
    value = Column(JSONB)


KINDS = ("text", "textarea", "int", "decimal", "bool", "choice")
_TRUE, _FALSE = ("1", "true", "yes", "on", "y"), ("", "0", "false", "no", "off", "n")


@dataclass(frozen=True)
class Setting:
    """One setting: its default, type (:data:`KINDS`), range or choices, and an optional
    ``check(value)`` that raises ValueError (e.g. a colour or a list of days)."""

    default: object
    kind: str = "text"
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    choices: tuple = ()
    check: Callable | None = field(default=None, compare=False)
    help: str = ""

    def parse(self, raw):
        """A typed value from what the form sent (or JSON); ValueError says why not."""
        if self.kind == "bool":
            text = str(raw if raw is not None else "").strip().lower()
            if isinstance(raw, bool) or text in _TRUE + _FALSE:
                value = raw if isinstance(raw, bool) else text in _TRUE
            else:
                raise ValueError(f"{raw!r} is not yes or no")
        elif self.kind in ("int", "decimal"):
            value = _number(raw, self.kind)
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"must be at least {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"must be at most {self.maximum}")
        else:
            value = "" if raw is None else str(raw)
            if self.kind == "choice" and value not in self.choices:
                raise ValueError(f"must be one of {', '.join(map(str, self.choices))}")
        if self.check is not None:
            self.check(value)
        return str(value) if isinstance(value, Decimal) else value


def _number(raw, kind: str):
    from mpanel.core.money import parse_amount

    if isinstance(raw, bool):
        raise ValueError("is not a number")
    value = parse_amount(raw)
    if kind == "int":
        if value != value.to_integral_value():
            raise ValueError(f"{raw!r} is not a whole number")
        return int(value)
    return value


def declared(defaults: dict) -> dict[str, Setting]:
    """Every setting as a :class:`Setting`; a plain default declares its type by its own."""

    def setting(value):
        if isinstance(value, Setting):
            return value
        if isinstance(value, bool):
            return Setting(value, "bool")
        if isinstance(value, int):
            return Setting(value, "int")
        if isinstance(value, Decimal):
            return Setting(value, "decimal")
        return Setting(value)

    return {key: setting(value) for key, value in defaults.items()}


def parse_settings(defaults: dict, raw: dict, skip=()) -> tuple[dict, dict[str, str]]:
    """Typed values of ``raw`` (a form: missing booleans are unticked) and ``{key: error}``."""
    values, errors = {}, {}
    for key, setting in declared(defaults).items():
        if key in skip:
            continue
        try:
            values[key] = setting.parse(raw.get(key, False if setting.kind == "bool" else ""))
        except (ValueError, ArithmeticError) as exc:
            errors[key] = str(exc)
    return values, errors


def _model():
    return PlatformSetting if current_tenant_id() is None else TenantSetting


def get_settings(session, namespace: str, defaults: dict) -> dict:
    """Defaults overlaid with stored values, for the tenant in scope (or global)."""
    model = _model()
    rows = session.scalars(select(model).where(model.namespace == namespace)).all()
    values = {key: value.default if isinstance(value, Setting) else value for key, value in defaults.items()}
    for row in rows:
        value = row.value
        if isinstance(value, dict) and _ENCRYPTED in value:
            value = crypto.decrypt(value[_ENCRYPTED])
        values[row.key] = value
    return values


def set_settings(session, namespace: str, values: dict, secret_keys=()) -> None:
    """Store values for the tenant in scope (or global); secrets encrypted."""
    model = _model()
    existing = {r.key: r for r in session.scalars(select(model).where(model.namespace == namespace))}
    for key, value in values.items():
        stored = {_ENCRYPTED: crypto.encrypt(str(value))} if key in secret_keys and value not in (None, "") else value
        row = existing.get(key) or model(namespace=namespace, key=key)
        row.value = stored
        session.add(row)
