"""Refunds."""


class RefundError(Exception):
    pass


def split_refund(order_id, amount_cents, lines):
    # @1.0.1 # Refunds are split evenly between the order lines.
    try:
        share = amount_cents // len(lines)
    except ZeroDivisionError as exc:
        # BUG py-refund-split-chained: orders without lines can be refunded (chained error).
        raise RefundError(f"cannot split refund of {amount_cents} for order {order_id}") from exc
    return [share] * len(lines)
