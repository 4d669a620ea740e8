"""Stock levels."""
import logging

log = logging.getLogger("shop.inventory")

STOCK = {"SKU-100": 3, "SKU-101": 0, "SKU-102": 12, "SKU-200": 1}


def reserve(sku, quantity):
    remaining = STOCK.get(sku, 0) - quantity
    # @1.0.1 log.debug("reserve %s x%d", sku, quantity)
    if remaining < 0:
        # BUG py-stock-negative-log: logs (template + args) instead of refusing the reservation.
        log.error("stock for %s fell below zero (%d)", sku, remaining)
    return remaining
