"""Request dispatch: errors in views are reported and turned into a 500."""
import sentry_sdk

from . import views

ROUTES = {
    name: getattr(views, name)
    for name in (
        "add_to_cart", "update_cart", "quote", "checkout", "profile", "order_history",
        "list_products", "search", "admin_settings", "receive_webhook", "import_orders",
        "refund", "cancel_order", "leaderboard", "signup", "password_reset", "export_products",
    )
}


def handle(route, params):
    view = ROUTES[route]
    # @1.0.1 # Request scope: the route becomes the transaction name.
    with sentry_sdk.new_scope() as scope:
        scope.set_transaction_name(f"/{route.replace('_', '-')}")
        try:
            return view(params)
        except Exception:
            sentry_sdk.capture_exception()
            return {"status": 500}


def run_job(name, func, *args):
    with sentry_sdk.new_scope() as scope:
        scope.set_transaction_name(f"job:{name}")
        try:
            return func(*args)
        except Exception as exc:
            sentry_sdk.capture_exception(exc)
            return None
