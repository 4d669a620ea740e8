"""HTTP-ish views: each takes the request parameters and returns a response dict."""
import logging

from . import catalog, forms, importer, inventory, notify, payments, query, refunds, settings
from . import export, reports, webhooks
from .accounts import USERS

log = logging.getLogger("shop.views")

# @1.0.1 # Views are registered in dispatch.ROUTES.


def add_to_cart(params):
    quantity = forms.parse_quantity(params["qty"])
    price = catalog.line_total(params["sku"], quantity)
    inventory.reserve(params["sku"], quantity)
    return {"status": 200, "total": price}


def update_cart(params):
    # @1.0.1 log.debug("update cart %s", params)
    quantity = forms.parse_quantity(params["qty"])
    return {"status": 200, "quantity": quantity}


def quote(params):
    total = 0
    for sku, qty in params["lines"].items():
        total += catalog.line_total(sku, qty)
    return {"status": 200, "total": total}


def checkout(params):
    total = sum(catalog.line_total(sku, qty) for sku, qty in params["lines"].items())
    # @1.0.1 total = int(total)
    if not payments.charge(params["order_id"], params["provider"], total):
        return {"status": 402}
    webhooks.deliver(f"wh_{params['order_id']}", params["hook_url"], {"order": params["order_id"]}, 3)
    return {"status": 200}


def profile(params):
    user = USERS.get(params["user_id"])
    return {"status": 200, "email": user.email}


def order_history(params):
    # @1.0.1 # History is paginated.
    page, per_page = query.parse_page(params)
    user = USERS.get(params["user_id"])
    return {"status": 200, "user": user.id, "page": page, "per_page": per_page}


def list_products(params):
    page, per_page = query.parse_page(params)
    skus = sorted(catalog.PRICES)[(page - 1) * per_page:page * per_page]
    return {"status": 200, "skus": skus}


def search(params):
    # @1.0.1 term = params.get("q", "").strip()
    page, _ = query.parse_page(params)
    return {"status": 200, "page": page}


def admin_settings(params):
    values = settings.parse_settings(params["body"])
    return {"status": 200, "settings": values}


def receive_webhook(params):
    kind, data = webhooks.parse_incoming(params["body"])
    return {"status": 200, "kind": kind}


def import_orders(params):
    # @1.0.1 # Admin upload of an exported orders file.
    count = importer.load_orders(params["file"])
    return {"status": 200, "imported": count}


def refund(params):
    shares = refunds.split_refund(params["order_id"], params["amount"], params["lines"])
    webhooks.deliver(f"rf_{params['order_id']}", params["hook_url"], {"refund": shares}, 5)
    return {"status": 200}


def cancel_order(params):
    # @1.0.1 log.info("cancel %s", params["order_id"])
    refunds.split_refund(params["order_id"], params["paid"], params["lines"])
    return {"status": 200}


def leaderboard(params):
    rows = reports.leaderboard(params.get("user_ids"))
    return {"status": 200, "rows": [u.id for u in rows]}


def signup(params):
    user = USERS.get(params["user_id"])
    notify.send_mail(user, "Welcome")
    return {"status": 201}


def password_reset(params):
    # @1.0.1 # Reset links are only sent to a verified address.
    user = USERS.get(params["user_id"])
    address = notify.normalize_email(user)
    return {"status": 200, "sent_to": address}


def export_products(params):
    rows = export.to_csv_rows(params["items"])
    return {"status": 200, "csv": "\n".join(rows)}
