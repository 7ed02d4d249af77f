"""``/client/profile/``: a contact's profile. The customer's owner edits the
customer record (name, company, VAT id, address, phone, language: the language
of the customer's documents and mails); every contact changes their own
e-mail address (it takes effect once the link mailed to the new address is
opened, and is refused if in use), password and second factor (linked).
Invoices already issued keep the buyer data they were issued with; the next
invoice uses the new data."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from mpanel.core import audit, mail
from mpanel.core.security import onetime
from mpanel.core.security.hashing import digest
from mpanel.core.security.models import MPanelUser
from mpanel.extensions import db
from mpanel.modules.accounts.forms import country_choices
from mpanel.modules.accounts.signup import address_in_use
from mpanel.modules.customers.validation import check_phone, check_vat_id
from mpanel.web.client import client_page, render_client
from mpanel.web.forms import form_rule

blueprint = Blueprint("accounts_profile", __name__, url_prefix="/client/profile")
EMAIL_CHANGE = "email"
CUSTOMER_FIELDS = ("first_name", "last_name", "company", "vat_id", "address1", "address2", "postcode", "city",
                   "region", "country", "phone", "language")


class CustomerForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    vat_id = StringField(_l("VAT ID"), validators=[Optional(), Length(max=32), form_rule(check_vat_id)])
    address1 = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    address2 = StringField(_l("Address (line 2)"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    language = SelectField(_l("Language of your invoices and mails"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.language.choices = [(code, spec["name"]) for code, spec in current_app.config["LANGUAGES"].items()]

    def validate_phone(self, field):
        """Stored in E.164; a number without "+" is read as one of the chosen country."""
        try:
            field.data = check_phone(field.data, self.country.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class EmailForm(FlaskForm):
    email = EmailField(_l("New e-mail address"), validators=[DataRequired(), Length(max=320), Email()])
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])


def _me() -> MPanelUser:
    return db.session.get(MPanelUser, current_user.id)


def _page(customer_form=None, email_form=None, status=200):
    customer_form = customer_form or CustomerForm(obj=g.customer)
    return render_client("accounts/profile.html", customer_form=customer_form, email_form=email_form or EmailForm(),
                         me=_me()), status


@blueprint.route("/")
@client_page()
def index():
    return _page()


@blueprint.route("/", methods=["POST"])
@client_page()
def update():
    if not current_user.contact_owner:
        abort(403)
    form = CustomerForm()
    if not form.validate_on_submit():
        return _page(customer_form=form, status=400)
    before = {name: getattr(g.customer, name) for name in CUSTOMER_FIELDS}
    for name in CUSTOMER_FIELDS:
        value = form[name].data
        setattr(g.customer, name, (value.strip() or None) if isinstance(value, str) and name not in
                ("first_name", "last_name", "country", "language") else value)
    g.customer.vat_id = check_vat_id(g.customer.vat_id)
    changed = {k: v for k, v in before.items() if getattr(g.customer, k) != v}
    audit.record(db.session, "customer_profile_changed", "Customer", g.customer.id, {"fields": sorted(changed)})
    db.session.commit()
    flash(_("Your details are saved."), "success")
    return redirect(url_for(".index"))


@blueprint.route("/email", methods=["POST"])
@client_page()
def change_email():
    form, me = EmailForm(), _me()
    if not form.validate_on_submit():
        return _page(email_form=form, status=400)
    new = form.email.data.strip().lower()
    if not check_password_hash(me.password, form.password.data):
        form.password.errors = [_("The password is not right.")]
        return _page(email_form=form, status=400)
    if new == me.email.lower() or address_in_use(db.session, new):
        form.email.errors = [_("This address is in use. Choose another one.")]
        return _page(email_form=form, status=409)
    me.pending_email = new
    onetime.use_all(db.session, me.id, EMAIL_CHANGE)
    raw = onetime.issue(db.session, me.id, EMAIL_CHANGE, dt.timedelta(hours=current_app.config["VERIFY_TOKEN_HOURS"]),
                        request.remote_addr)
    link = f"{request.host_url.rstrip('/')}{url_for('.confirm_email', token=raw)}"
    mail.enqueue(db.session, new, _("Confirm your new e-mail address"),
                 _("To use %(email)s for your account, open this link:\n\n%(link)s\n\nUntil then your old address "
                   "stays in use.", email=new, link=link), dedupe_key=f"accounts:email:{digest(raw)}")
    mail.enqueue(db.session, me.email, _("Your e-mail address is being changed"),
                 _("Someone signed in as you asked to change the address of your account to %(email)s. If this "
                   "was not you, change your password now.", email=new),
                 dedupe_key=f"accounts:email-notice:{digest(raw)}")
    db.session.commit()
    flash(_("Open the link we sent to %(email)s to confirm it.", email=new), "info")
    return redirect(url_for(".index"))


@blueprint.route("/email/<token>", methods=["GET", "POST"])
@client_page()
def confirm_email(token: str):
    me = _me()
    row = onetime.find(db.session, token, EMAIL_CHANGE)
    if row is None or row.user_id != me.id or not me.pending_email:
        return render_client("security/message.html", title=_("Link not valid"),
                             message=_("This link has expired or was used already.")), 400
    if request.method == "GET":
        return render_client("accounts/verify.html", form=FlaskForm())
    if not FlaskForm().validate_on_submit():
        abort(400)
    if address_in_use(db.session, me.pending_email):
        me.pending_email = None
        db.session.commit()
        return render_client("security/message.html", title=_("Address in use"),
                             message=_("This address is in use now. Choose another one.")), 409
    if not onetime.use(db.session, row):
        abort(400)
    old = me.email
    me.email = me.username = me.pending_email
    me.pending_email, me.email_verified = None, True
    if me.contact_owner:
        g.customer.email = me.email
    audit.record(db.session, "email_changed", "User", me.id, {"from": old, "to": me.email})
    db.session.commit()
    flash(_("Your e-mail address is now %(email)s.", email=me.email), "success")
    return redirect(url_for(".index"))
