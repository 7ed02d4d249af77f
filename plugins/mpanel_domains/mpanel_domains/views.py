"""Staff admin pages: domains, their contacts (masked in lists) and the registrar action queue."""

from __future__ import annotations

from contextlib import contextmanager

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_login import current_user
from sqlalchemy import inspect
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import Optional

from mpanel.core.errors import FieldError
from mpanel.web.crud import TenantModelView
from mpanel.web.forms import form_rule
from mpanel_domains import actions, contacts, renewals
from mpanel_domains.constants import STATUSES
from mpanel_domains.i18n import gettext
from mpanel_domains.i18n import lazy_gettext as _
from mpanel_domains.models import Domain, DomainAction, DomainContact, DomainRenewal
from mpanel_domains.names import check_nameservers
from mpanel_domains.records import new_domain_fields
from mpanel_domains.service import latest_contact
from mpanel_domains.signals import domain_status_changed

LABELS = {
    "display_name": _("Domain"), "name": _("Name (A-label)"), "tld": _("TLD"), "registrar": _("Registrar"),
    "expires_at": _("Expires"), "registered_at": _("Registered"), "auto_renew": _("Auto-renew"),
    "registrar_lock": _("Transfer lock"), "id_protection": _("ID protection"), "dns_management": _("DNS management"),
    "nameserver_text": _("Name servers"), "last_synced_at": _("Last synced"), "sync_error": _("Sync error"),
    "email_masked": _("E-mail"), "phone_masked": _("Phone"), "last_error": _("Last error"),
}


@contextmanager
def flashed():
    """A FieldError as the ValueError FAB flashes (the form is shown again, nothing saved)."""
    try:
        yield
    except FieldError as exc:
        raise ValueError(f"{LABELS.get(exc.field, exc.field)}: {exc.message}") from None


def _status_field():
    return SelectField(_("Status"), choices=[(s, s.replace("_", " ")) for s in STATUSES])


def change_of(domain: Domain, attribute: str) -> tuple | None:
    """(old, new) when an edit changed ``attribute``; read before anything flushes."""
    history = inspect(domain).attrs[attribute].history
    if history.deleted and history.added and history.deleted[0] != history.added[0]:
        return history.deleted[0], history.added[0]
    return None


def save_changes(session, domain: Domain) -> None:
    """After an edit (staff, REST or the customer): queue the registrar updates it
    needs, signal a new status (as the sync does) and auto-renew turned on or off."""
    status, auto_renew = change_of(domain, "status"), change_of(domain, "auto_renew")
    actions.queue_changes(session, domain)
    if status:
        domain_status_changed.send(domain, old=status[0], new=status[1])
    if auto_renew:
        renewals.auto_renew_changed(session, domain)


class DomainView(TenantModelView):
    datamodel = SQLAInterface(Domain)
    list_title = _("Domains")
    label_columns = LABELS
    list_columns = ["display_name", "customer", "status", "expires_at", "registrar", "auto_renew", "registrar_lock",
                    "last_synced_at"]
    search_columns = ["name", "status", "registrar", "customer", "expires_at", "auto_renew"]
    show_columns = ["display_name", "name", "tld", "customer", "registrar", "status", "registered_at", "expires_at",
                    "auto_renew", "registrar_lock", "id_protection", "dns_management", "nameserver_text",
                    "registrant", "admin", "tech", "billing", "last_synced_at", "sync_error", "created_at"]
    add_columns = ["customer", "name", "registrar", "status", "registered_at", "expires_at", "auto_renew",
                   "nameserver_text"]
    edit_columns = ["status", "expires_at", "auto_renew", "registrar_lock", "id_protection", "dns_management",
                    "nameserver_text"]
    # FAB marks NOT NULL booleans required, which makes "off" impossible: plain checkboxes instead.
    add_form_extra_fields = edit_form_extra_fields = {
        **{name: BooleanField(LABELS[name]) for name in ("auto_renew", "registrar_lock", "id_protection",
                                                         "dns_management")},
        "status": _status_field(),
        "nameserver_text": TextAreaField(_("Name servers"), description=_("One host name per line"),
                                         validators=[Optional(), form_rule(check_nameservers)]),
    }
    base_order = ("expires_at", "asc")

    def pre_add(self, item):
        with flashed():
            fields = new_domain_fields(self.datamodel.session, item.name, item.registrar)
        for key, value in fields.items():
            setattr(item, key, value)
        contact = latest_contact(self.datamodel.session, item.customer.id) if item.customer else None
        item.registrant = item.admin = item.tech = item.billing = contact

    def pre_update(self, item):
        save_changes(self.datamodel.session, item)


class DomainContactView(TenantModelView):
    datamodel = SQLAInterface(DomainContact)
    list_title = _("Domain contacts")
    label_columns = LABELS
    list_columns = ["first_name", "last_name", "company", "email_masked", "phone_masked", "country", "customer"]
    search_columns = ["last_name", "company", "country", "customer"]
    show_columns = ["customer", *contacts.FIELDS, "registry_handles", "created_at"]
    add_columns = ["customer", *contacts.FIELDS]
    edit_columns = contacts.FIELDS
    validators_columns = {name: [form_rule(check)] for name, check in contacts.RULES.items()}

    def pre_add(self, item):
        with flashed():
            contacts.normalise(item)

    def pre_update(self, item):
        with flashed():
            contacts.normalise(item)
        actions.queue_contact_update(self.datamodel.session, item)


class DomainActionView(TenantModelView):
    datamodel = SQLAInterface(DomainAction)
    list_title = _("Registrar actions")
    label_columns = LABELS
    base_permissions = ["can_list", "can_show"]
    method_permission_name = {"retry": "retry", "resolve": "resolve", "resolve_failed": "resolve"}
    list_columns = ["domain", "action", "status", "attempts", "last_error", "updated_at"]
    show_columns = ["domain", "action", "params", "status", "attempts", "last_error", "reference", "resolved_by",
                    "created_at", "updated_at", "finished_at"]
    search_columns = ["action", "status", "domain", "reference"]
    base_order = ("id", "desc")

    def _apply(self, items, change):
        session = self.datamodel.session
        for item in items if isinstance(items, list) else [items]:
            try:
                change(session, item)
                flash(gettext("%(action)s: done", action=item), "success")
            except FieldError as exc:
                flash(f"{item}: {exc.message}", "danger")
        session.commit()
        self.update_redirect()
        return redirect(self.get_redirect())

    @action("retry", _("Retry"), _("Run the selected failed actions again?"), "fa-repeat", single=False)
    def retry(self, items):
        return self._apply(items, actions.retry)

    @action("resolve", _("Mark resolved"), _("Mark the selected actions as handled by hand?"), "fa-check",
            single=False)
    def resolve(self, items):
        return self._apply(items, lambda session, item: actions.resolve(session, item, current_user.username))

    @action("resolve_failed", _("Resolve as failed (credit the customer)"),
            _("Give the selected actions up? What the customer paid for them becomes account credit."),
            "fa-times", single=False)
    def resolve_failed(self, items):
        return self._apply(items, lambda session, item: actions.resolve(session, item, current_user.username,
                                                                         failed=True))


class DomainRenewalView(TenantModelView):
    """Renewals billed (read only): which invoice, which registrar action, and why not, if not."""

    datamodel = SQLAInterface(DomainRenewal)
    list_title = _("Billed renewals")
    label_columns = {**LABELS, "kind": _("Kind"), "late": _("Late fee"), "invoice_id": _("Invoice"),
                     "action": _("Registrar action"), "note": _("Note"), "cancelled_at": _("Cancelled")}
    base_permissions = ["can_list", "can_show"]
    list_columns = ["domain", "expires_at", "kind", "late", "invoice_id", "action", "note", "cancelled_at",
                    "created_at"]
    show_columns = list_columns
    search_columns = ["domain", "kind", "expires_at"]
    base_order = ("id", "desc")


def register(appbuilder) -> None:
    category = {"category": "Domains", "category_label": _("Domains"), "category_icon": "fa-globe"}
    appbuilder.add_view(DomainView, "Domain list", label=_("Domain list"), icon="fa-globe", **category)
    appbuilder.add_view(DomainContactView, "Domain contacts", label=_("Domain contacts"), icon="fa-address-book",
                        **category)
    appbuilder.add_view(DomainActionView, "Registrar actions", label=_("Registrar actions"), icon="fa-tasks",
                        **category)
    appbuilder.add_view(DomainRenewalView, "Billed renewals", label=_("Billed renewals"), icon="fa-refresh",
                        **category)
