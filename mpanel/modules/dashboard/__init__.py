"""The staff dashboard: plugins contribute widgets through ``dashboard_widgets``;
the kernel renders them on the staff home and imports no plugin.

Contract: a receiver ``(sender, session=...)`` returns a ``Widget`` or a list of
them, computed for the tenant in scope (RLS applies); figures carry the link to
the filtered list behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

from mpanel.core.signals import tenant_signal

dashboard_widgets = tenant_signal(
    "dashboard-widgets", doc="Staff home: return Widget(s) for the current tenant.")


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    url: str | None = None


@dataclass(frozen=True)
class Widget:
    title: str
    figures: list[Figure] = field(default_factory=list)
    order: int = 100


def collect(session) -> list[Widget]:
    """The widgets of the active plugins for the tenant in scope, in display order."""
    widgets: list[Widget] = []
    for _receiver, result in dashboard_widgets.send(None, session=session):
        if result is None:
            continue
        widgets.extend(result if isinstance(result, list) else [result])
    return sorted(widgets, key=lambda widget: (widget.order, widget.title))
