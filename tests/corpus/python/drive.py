#!/usr/bin/env python3
"""Drive one release of the shop through every scenario: drive.py DSN RELEASE

Run with the built application on PYTHONPATH (see run.sh) and CORPUS_LABELS set. Each scenario
is (label, expected number of events, action); the driver sets the label the before_send hook
records, runs the action, and fails unless exactly the expected number of events was produced.
Scenarios with label None are healthy traffic that must produce no event.
"""
import json
import os
import subprocess
import sys
import tempfile

import sentry_sdk

from shop import dispatch, jobs, telemetry


def req(route, **params):
    return lambda: dispatch.handle(route, params)


def job(name, func, *args):
    return lambda: dispatch.run_job(name, func, *args)


def cli_import(dsn, release, text, label):
    """The command-line importer in its own process; the error escapes (sys.excepthook)."""
    def run():
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(text)
        env = dict(os.environ, CORPUS_LABEL=label)
        proc = subprocess.run(
            [sys.executable, "-m", "shop.cli", dsn, release, "import", f.name],
            env=env, capture_output=True, text=True, timeout=60,
        )
        os.unlink(f.name)
        if proc.returncode == 0:
            raise SystemExit(f"cli import unexpectedly succeeded: {proc.stdout}")
    return run


def scenarios(dsn, release):
    r = 0 if release.endswith("1.0.0") else 1

    def pick(a, b):
        return a if r == 0 else b

    ok_lines = {"SKU-100": 1, "SKU-102": 2}  # 1250 + 9000 = 10250, not a multiple of 7
    S = []

    # -- healthy traffic (no events) --------------------------------------------------------
    S += [
        (None, 0, req("add_to_cart", sku="SKU-102", qty="2")),
        (None, 0, req("quote", lines=ok_lines)),
        (None, 0, req("profile", user_id=1)),
        (None, 0, req("list_products", page="1")),
        (None, 0, req("leaderboard", user_ids=[1, 2])),
        (None, 0, req("checkout", order_id=pick(900, 901), provider="stripe", lines=ok_lines,
                      hook_url="https://hooks.partner.test/orders")),
    ]

    # -- py-price-missing-sku: KeyError in catalog.unit_price -------------------------------
    lab = "py-price-missing-sku"
    S += [
        (lab, 1, req("add_to_cart", sku=pick("SKU-900", "SKU-902"), qty="1")),
        (lab, 1, req("add_to_cart", sku=pick("SKU-901", "SKU-310"), qty="3")),
        (lab, 1, req("quote", lines={"SKU-100": 1, pick("SKU-777", "SKU-778"): 2})),
        (lab, 1, req("checkout", order_id=pick(1201, 1301), provider="adyen",
                     lines={pick("SKU-555", "SKU-556"): 1}, hook_url="https://hooks.acme.test/x")),
        (lab, 1, lambda: jobs.reprice_in_worker(["SKU-100", pick("SKU-404", "SKU-405")])),
    ]

    # -- py-user-missing-id: KeyError in accounts.UserStore.get -----------------------------
    lab = "py-user-missing-id"
    S += [
        (lab, 1, req("profile", user_id=pick(17, 23))),
        (lab, 1, req("order_history", user_id=pick(42, 4711), page="2")),
        (lab, 1, req("signup", user_id=pick(99, 100))),
        (lab, 1, req("password_reset", user_id=pick(1234, 555))),
        (lab, 1, req("leaderboard", user_ids=[1, pick(58, 61)])),
    ]

    # -- py-quantity-not-int: ValueError from int() in forms.parse_quantity ----------------
    lab = "py-quantity-not-int"
    S += [
        (lab, 1, req("add_to_cart", sku="SKU-100", qty=pick("two", "three"))),
        (lab, 1, req("add_to_cart", sku="SKU-102", qty=pick("2.5", "0.5"))),
        (lab, 1, req("update_cart", qty=pick("", " "))),
        (lab, 1, req("update_cart", qty=pick("1,5", "x2"))),
    ]

    # -- py-page-not-int: ValueError from int() in query.parse_page -------------------------
    lab = "py-page-not-int"
    S += [
        (lab, 1, req("list_products", page=pick("last", "next"))),
        (lab, 1, req("search", q="mug", page=pick("2abc", "1.0"))),
        (lab, 1, req("search", q="tea", page=pick("", "all"))),
        (lab, 1, req("order_history", user_id=1, page=pick("-", "3rd"))),
    ]

    # -- py-settings-unknown-key: ValueError(f'unknown setting "{key}"') --------------------
    lab = "py-settings-unknown-key"
    S += [
        (lab, 1, req("admin_settings", body=f"currency = EUR\n{pick('cache_ttl', 'max_upload_mb')} = 60")),
        (lab, 1, job("reload-settings", jobs.reload_settings,
                     f"# prod\ntimezone = UTC\n{pick('log_level', 'cache_ttl')} = debug\n")),
        (lab, 1, req("admin_settings", body=f"{pick('theme', 'log_level')} = dark")),
        (lab, 1, job("reload-settings", jobs.reload_settings, f"{pick('smtp_host', 'feature_flags')} = x")),
    ]

    # -- py-payment-declined-message: capture_message(f"Payment {order_id} declined by {provider}")
    lab = "py-payment-declined-message"
    S += [
        (lab, 1, req("checkout", order_id=pick(1001, 1101), provider=pick("stripe", "paypal"),
                     lines={"SKU-200": 7}, hook_url="https://hooks.partner.test/o")),
        (lab, 1, req("checkout", order_id=pick(1002, 1102), provider=pick("adyen", "stripe"),
                     lines={"SKU-100": 7}, hook_url="https://hooks.partner.test/o")),
        (lab, 1, job("renew", jobs.renew_subscription, pick(5001, 5101), pick("paypal", "adyen"), 700)),
        (lab, 1, job("renew", jobs.renew_subscription, pick(5002, 5102), pick("stripe", "paypal"), 1400)),
    ]
    if r == 1:
        S += [(lab, 1, req("checkout", order_id=1103, provider="adyen", lines={"SKU-101": 14},
                           hook_url="https://hooks.partner.test/o"))]

    # -- py-stock-negative-log: log.error("stock for %s fell below zero (%d)", sku, remaining)
    lab = "py-stock-negative-log"
    S += [
        (lab, 1, req("add_to_cart", sku="SKU-101", qty=pick("2", "1"))),
        (lab, 1, req("add_to_cart", sku="SKU-200", qty=pick("5", "9"))),
        (lab, 2, req("import_orders", file=json.dumps(
            [{"id": 1, "lines": {"SKU-100": pick(5, 4)}}, {"id": 2, "lines": {"SKU-102": pick(20, 13)}}]))),
    ]

    # -- py-webhook-failed-log: log.error(f"webhook {hook_id} to {host} failed after {n} retries")
    lab = "py-webhook-failed-log"
    S += [
        (lab, 1, req("checkout", order_id=pick(2001, 2101), provider="stripe", lines=ok_lines,
                     hook_url=pick("https://hooks.acme.test/orders", "https://erp.initech.test/in"))),
        (lab, 1, req("checkout", order_id=pick(2002, 2102), provider="paypal", lines={"SKU-200": 2},
                     hook_url=pick("https://crm.globex.test/hook", "https://hooks.acme.test/orders"))),
        (lab, 1, req("refund", order_id=pick(2003, 2103), amount=1000, lines=[1, 2],
                     hook_url=pick("https://erp.initech.test/refunds", "https://crm.globex.test/r"))),
        (lab, 1, req("refund", order_id=pick(2004, 2104), amount=333, lines=[1],
                     hook_url="https://hooks.acme.test/refunds")),
    ]

    # -- py-webhook-bad-json: json.loads in webhooks.parse_incoming --------------------------
    lab = "py-webhook-bad-json"
    S += [
        (lab, 1, req("receive_webhook", body=pick("type=order.paid&id=88", ""))),
        (lab, 1, req("receive_webhook", body=pick("{'type': 'order.paid'}", '{"type": "refund",}'))),
        (lab, 1, job("replay-webhook", jobs.replay_webhook, pick('{"type": "order.paid", "data": {', "null x"))),
        (lab, 1, job("replay-webhook", jobs.replay_webhook, pick("<xml/>", "type=refund"))),
    ]

    # -- py-import-bad-json: json.loads in importer.load_orders -----------------------------
    lab = "py-import-bad-json"
    S += [
        (lab, 1, req("import_orders", file=pick('[{"id": 1, "lines": {', ""))),
        (lab, 1, req("import_orders", file=pick("[{'id': 3}]", '[{"id": 4},]'))),
        (lab, 1, req("import_orders", file=pick("id,sku\n1,SKU-100\n", "<orders/>"))),
        (lab, 1, cli_import(dsn, release, pick('[{"id": 7, "lines": {"SKU-100": 1}}', "orders: []"), lab)),
        (lab, 1, cli_import(dsn, release, pick("", '[{"id": 9}] trailing'), lab)),
    ]

    # -- py-refund-split-chained: RefundError from ZeroDivisionError ------------------------
    lab = "py-refund-split-chained"
    S += [
        (lab, 1, req("refund", order_id=pick(3001, 3101), amount=pick(1999, 450), lines=[],
                     hook_url="https://hooks.partner.test/r")),
        (lab, 1, req("refund", order_id=pick(3002, 3102), amount=pick(120, 8800), lines=[],
                     hook_url="https://hooks.partner.test/r")),
        (lab, 1, req("cancel_order", order_id=pick(3003, 3103), paid=pick(5000, 725), lines=[])),
        (lab, 1, req("cancel_order", order_id=pick(3004, 3104), paid=pick(64, 3100), lines=[])),
    ]

    # -- py-leaderboard-sort-none: AttributeError in the sorted(key=...) callback -----------
    lab = "py-leaderboard-sort-none"
    S += [
        (lab, 1, req("leaderboard")),
        (lab, 1, req("leaderboard", user_ids=pick([1, 3], [2, 4]))),
        (lab, 1, job("weekly-digest", jobs.weekly_digest, pick([2, 4], [3, 1]))),
        (lab, 1, job("weekly-digest", jobs.weekly_digest, None)),
    ]

    # -- py-email-none: AttributeError in notify.normalize_email (same message as above) ----
    lab = "py-email-none"
    S += [
        (lab, 1, req("signup", user_id=pick(2, 4))),
        (lab, 1, req("password_reset", user_id=pick(4, 2))),
        (lab, 1, lambda: jobs.digest_mail_in_worker([1, pick(2, 4)])),
        (lab, 1, req("signup", user_id=pick(4, 2))),
    ]

    # -- py-export-format-price: ValueError in the map() callback export._format_row --------
    lab = "py-export-format-price"
    S += [
        (lab, 1, req("export_products", items=[{"sku": "SKU-100", "price": 1250},
                                               {"sku": "SKU-101", "price": pick("8.99", "9.49")}])),
        (lab, 1, req("export_products", items=[{"sku": pick("SKU-200", "SKU-102"), "price": "1.50"}])),
        (lab, 1, job("nightly-backup", jobs.nightly_backup, [{"sku": "SKU-102", "price": pick("45", "45.00")}])),
        (lab, 1, job("nightly-backup", jobs.nightly_backup,
                     [{"sku": "SKU-100", "price": 12.5}, {"sku": pick("SKU-900", "SKU-901"), "price": "0"}])),
    ]
    return S


def count(path):
    try:
        with open(path, encoding="utf-8") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def main():
    dsn, release = sys.argv[1:3]
    labels = os.environ["CORPUS_LABELS"]
    telemetry.init(dsn, release)
    failures = 0
    for i, (label, expected, action) in enumerate(scenarios(dsn, release)):
        telemetry.current_label = label
        before = count(labels)
        action()
        got = count(labels) - before
        if got != expected:
            failures += 1
            print(f"scenario {i} ({label}): expected {expected} event(s), got {got}", file=sys.stderr)
    telemetry.current_label = None
    sentry_sdk.flush(timeout=30)
    if failures:
        sys.exit(f"{failures} scenario(s) did not produce the expected events")


if __name__ == "__main__":
    main()
