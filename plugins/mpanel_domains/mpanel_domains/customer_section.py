"""The domains section of the staff customer page (kernel: customers.sections)."""

from __future__ import annotations

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import object_session

from mpanel.modules.customers.sections import Section, customer_page

from .i18n import gettext as _
from .models import Domain


@customer_page.connect
def _domains(customer, **kwargs):
    domains = object_session(customer).scalars(select(Domain).where(Domain.customer_id == customer.id)
                                               .order_by(Domain.name).limit(100)).all()
    rows = Markup("").join(Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(
        d.name, d.status, d.expires_at or "") for d in domains)
    head = Markup("<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>").format(
        _("Domain"), _("Status"), _("Expires"))
    empty = Markup("<tr><td colspan=3>{}</td></tr>").format(escape(_("No domains."))) if not domains else ""
    return Section("domains", _("Domains"), Markup('<table class="table table-condensed" id="customer-domains">'
                                               "{}<tbody>{}{}</tbody></table>").format(head, rows, empty), order=20)
