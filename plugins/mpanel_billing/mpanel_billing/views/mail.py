"""Tenant-edited mail texts in the admin, checked in the sandbox before they are saved."""

from babel import Locale, UnknownLocaleError
from flask_appbuilder.models.sqla.interface import SQLAInterface
from jinja2 import TemplateError
from wtforms import SelectField

from mpanel.core import mail
from mpanel.web.crud import TenantModelView
from mpanel.web.forms import form_rule

from ..i18n import lazy_gettext as _
from ..models.mail import MAIL_KINDS, MailTemplate

# What every mail kind may use (mailing.py fills them in).
VARIABLES = ("name", "number", "kind", "seller", "total", "due", "due_date", "amount", "days", "fee_number",
             "fee_total")
SAMPLE = {name: "x" for name in VARIABLES} | {"_": lambda text, **values: text % values if values else text}


def check_template(source: str) -> None:
    """Refuse a text the sandbox would not render with sample values: syntax, unsafe
    attribute access, a cost limit (size, time, output), or any error it raises
    (``range(10**10)``, ``1/0``): a form error, never a 500."""
    try:
        mail.render(source or "", SAMPLE, html=False)
    except TemplateError as exc:  # SecurityError and TemplateLimitError are ones
        raise ValueError(f"the template does not render: {exc}") from None
    except Exception as exc:
        raise ValueError(f"the template does not render: {type(exc).__name__}: {exc}") from None


def check_subject(source: str) -> None:
    if "\n" in (source or "") or "\r" in (source or ""):
        raise ValueError("the subject is one line")
    check_template(source)


def check_language(code: str) -> None:
    if code:
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            raise ValueError(f"{code!r} is not a language code (e.g. de, fr, en)") from None


class MailTemplateView(TenantModelView):
    datamodel = SQLAInterface(MailTemplate)
    list_title = _("Mail templates")
    list_columns = ["kind", "language", "subject"]
    add_columns = edit_columns = ["kind", "language", "subject", "body"]
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(_("Mail"), choices=[(k, k.replace("_", " ")) for k in MAIL_KINDS])}
    validators_columns = {"subject": [form_rule(check_subject)], "body": [form_rule(check_template)],
                          "language": [form_rule(check_language)]}
    description_columns = {
        "language": _("Empty: every language without its own text."),
        "body": _("Jinja in a sandbox. Variables: %(names)s.", names=", ".join(VARIABLES)),
    }

    def pre_add(self, item):
        item.language = (item.language or "").strip().lower()

    pre_update = pre_add
