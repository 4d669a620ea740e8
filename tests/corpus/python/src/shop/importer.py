"""Bulk order import from JSON files."""
import json

from . import inventory


def load_orders(text):
    # @1.0.1 # Files exported by the old admin are sometimes truncated.
    # BUG py-import-bad-json: truncated / hand-edited export files are parsed blindly.
    orders = json.loads(text)
    for order in orders:
        for sku, quantity in order.get("lines", {}).items():
            inventory.reserve(sku, quantity)
    return len(orders)
