"""Form field parsing."""


def parse_quantity(raw):
    value = raw.strip()
    # @1.0.1 # Quantities come from a free-text field on old clients.
    # BUG py-quantity-not-int: "2.5", "two" or "" are not rejected politely.
    quantity = int(value)
    return max(quantity, 1)
