"""Client-area catalogue pages under ``/client/catalog`` and the live price they ask for."""

from flask import Blueprint, abort, g, jsonify, request, url_for
from flask_babel import get_locale

from mpanel.core.errors import FieldError
from mpanel.core.money import format_money
from mpanel.core.plugins.engine import active_plugin_names
from mpanel.extensions import db
from mpanel.web.client import client_page, render_client
from mpanel_catalog import storefront
from mpanel_catalog.calculator import quote_product
from mpanel_catalog.i18n import gettext

blueprint = Blueprint("catalog_client", __name__, url_prefix="/client/catalog", static_folder="../static",
                      static_url_path="/static")


@blueprint.context_processor
def _catalogue_gettext():
    # ``_c`` translates with the plugin's catalogue; ``_`` stays the kernel's (menus, base layout).
    return {"_c": gettext}


def _locale() -> str:
    return get_locale().language


@blueprint.route("/")
@client_page()
def index():
    return render_client("catalog/index.html", groups=storefront.groups(db.session, g.customer.currency, _locale()))


@blueprint.route("/group/<slug>")
@client_page()
def group(slug):
    found = storefront.groups(db.session, g.customer.currency, _locale(), slug=slug)
    if not found:
        abort(404)
    return render_client("catalog/index.html", groups=found)


@blueprint.route("/product/<int:product_id>")
@client_page()
def product(product_id):
    item = storefront.product(db.session, product_id)
    if item is None:
        abort(404)
    detail = storefront.product_detail(db.session, item, g.customer.currency, _locale())
    quote, error = None, None
    if detail["cycles"]:
        try:
            quote = quote_product(db.session, item.id, detail["cycles"][0]["cycle"], customer=g.customer,
                                  locale=_locale())
        except FieldError as exc:
            error = exc.message
    # Ordering is the billing plugin's cart, when the tenant has it (the form's fields are its fields).
    order_url = url_for("billing_client.cart") if "billing" in active_plugin_names(db.session) else None
    return render_client("catalog/product.html", product=detail, quote=quote, error=error, order_url=order_url)


@blueprint.route("/product/<int:product_id>/price")
@client_page()
def price(product_id):
    """The live price for the product form's fields (cycle, quantity, option-<id>, addon, coupon):
    ``{"result": quote}`` (with ``*_shown`` amounts for people) or 400 ``{"message": {field: [...]}}``."""
    args = request.args
    options = {key.removeprefix("option-"): value for key, value in args.items() if key.startswith("option-")}
    try:
        quote = quote_product(db.session, product_id, args.get("cycle", ""), customer=g.customer, options=options,
                              addons=args.getlist("addon"), coupons=[c for c in args.getlist("coupon") if c.strip()],
                              quantity=args.get("quantity", "1"), locale=_locale())
    except FieldError as exc:
        return jsonify(message=exc.as_messages()), 400
    result = quote.to_dict()
    # The page shows amounts as the viewer's locale writes them; the JSON amounts stay plain.
    result["total_shown"] = format_money(quote.total, quote.currency)
    for shown, line in zip(result["lines"], quote.lines, strict=True):
        shown["amount_shown"] = format_money(line.amount, quote.currency)
    return jsonify(result=result)
