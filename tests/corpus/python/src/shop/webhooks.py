"""Outgoing and incoming webhooks."""
import json
import logging
from urllib.parse import urlsplit

log = logging.getLogger("shop.webhooks")


def deliver(hook_id, url, payload, attempts=3):
    host = urlsplit(url).hostname
    # @1.0.1 # Delivery is simulated in the corpus: every host in FAILING refuses.
    if host in FAILING:
        # BUG py-webhook-failed-log: pre-formatted f-string, no template for the logger.
        log.error(f"webhook {hook_id} to {host} failed after {attempts} retries")
        return False
    return True


FAILING = {"hooks.acme.test", "crm.globex.test", "erp.initech.test"}


def parse_incoming(body):
    # @1.0.1 # Partners sometimes send form-encoded bodies.
    # BUG py-webhook-bad-json: the body is not validated before json.loads.
    event = json.loads(body)
    return event["type"], event.get("data", {})
