"""Products and prices."""
import logging

log = logging.getLogger("shop.catalog")

PRICES = {
    "SKU-100": 1250,
    "SKU-101": 899,
    "SKU-102": 4500,
    "SKU-200": 150,
}


def unit_price(sku):
    # @1.0.1 log.debug("pricing %s", sku)
    # BUG py-price-missing-sku: discontinued SKUs are still in carts but not in PRICES.
    return PRICES[sku]


def line_total(sku, quantity):
    return unit_price(sku) * quantity
