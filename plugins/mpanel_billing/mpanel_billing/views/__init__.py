"""Admin views: invoices, orders, services, credit notes, tax rules, mail templates, number series, ledger."""

from ..i18n import lazy_gettext as _


def register_views(appbuilder) -> None:
    from .documents import CreditNoteView, InvoiceView
    from .ledger import LedgerView
    from .mail import MailTemplateView
    from .services import OrderView, ServiceView
    from .settings import NumberSeriesView, TaxRuleView

    menu = {"category": "Billing", "category_label": _("Billing"), "category_icon": "fa-file-text-o"}
    appbuilder.add_view(InvoiceView, "Invoices", label=_("Invoices"), icon="fa-file-text-o", **menu)
    appbuilder.add_view(OrderView, "Orders", label=_("Orders"), icon="fa-shopping-cart", **menu)
    appbuilder.add_link("Orders awaiting review", href="/orderview/list/?_flt_0_review=held",
                        label=_("Orders awaiting review"), icon="fa-hourglass-half", **menu)
    appbuilder.add_link("New order", href="/orderview/new", label=_("New order"), icon="fa-cart-plus", **menu)
    appbuilder.add_view(ServiceView, "Services", label=_("Services"), icon="fa-server", **menu)
    appbuilder.add_view(CreditNoteView, "Credit notes", label=_("Credit notes"), icon="fa-undo", **menu)
    appbuilder.add_view(LedgerView, "Ledger", label=_("Ledger"), icon="fa-book", **menu)
    appbuilder.add_view(TaxRuleView, "Tax rules", label=_("Tax rules"), icon="fa-percent", **menu)
    appbuilder.add_view(MailTemplateView, "Mail templates", label=_("Mail templates"), icon="fa-envelope-o", **menu)
    appbuilder.add_view(NumberSeriesView, "Number series", label=_("Number series"), icon="fa-sort-numeric-asc",
                        **menu)
