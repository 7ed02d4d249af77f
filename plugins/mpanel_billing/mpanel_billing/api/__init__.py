"""REST under /api/v1: invoices (and credit notes), tax rules, ledger."""


def register_apis(appbuilder) -> None:
    from .invoices import InvoiceApi
    from .ledger import LedgerApi
    from .rules import TaxRuleApi

    for api in (InvoiceApi, TaxRuleApi, LedgerApi):
        appbuilder.add_api(api)
