"""Payment providers."""
import sentry_sdk

DECLINING = {"adyen", "paypal", "stripe"}


def charge(order_id, provider, amount_cents):
    if amount_cents <= 0:
        return True
    # @1.0.1 # Providers answer 402 for declines; we only report them.
    if provider in DECLINING and amount_cents % 7 == 0:
        # BUG py-payment-declined-message: a pre-formatted message per decline.
        sentry_sdk.capture_message(f"Payment {order_id} declined by {provider}", level="error")
        return False
    return True
