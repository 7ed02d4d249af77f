"""One import: the steps in order, then the reconciliation (also after a dry run, which rolls back)."""

from __future__ import annotations

from . import catalog, money, parties
from .core import Context
from .reconcile import reconcile
from .source import Source

# (name for --only, function); later steps need the map rows of earlier ones.
STEPS = (("currencies", parties.currencies), ("clients", parties.clients), ("contacts", parties.contacts),
         ("products", catalog.groups), ("products", catalog.products), ("products", catalog.pricing),
         ("services", catalog.services), ("domains", catalog.domains), ("invoices", money.invoices),
         ("payments", money.payments), ("credit", money.credit))
ALWAYS = ("currencies", "clients")  # every other step maps through them


def run_import(session, tenant, dsn: str, dry_run: bool = False, only=None, progress=None) -> dict:
    """Import the WHMCS database at ``dsn`` into ``tenant`` (in scope on ``session``); the report as a dict."""
    with Source(dsn) as source:
        ctx = Context(session, source, tenant, dry_run=dry_run, progress=progress)
        try:
            for name, step in STEPS:
                if only is None or name in only or name in ALWAYS:
                    step(ctx)
            reconcile(ctx)
        finally:
            if dry_run:
                session.rollback()
    return ctx.report.as_dict()
