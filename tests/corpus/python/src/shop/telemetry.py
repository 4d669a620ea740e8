"""Sentry set-up for the shop, plus the corpus instrumentation (label bookkeeping).

CORPUS_LABELS (env): file the before_send hook appends `event_id,label,sdk,release` lines to.
The label is whatever `current_label` holds when the SDK prepares the event (the driver sets it
before each scenario); CORPUS_LABEL (env) gives a starting value for processes that only run
one scenario (the command-line importer).
"""
import os
import threading

import sentry_sdk

current_label = os.environ.get("CORPUS_LABEL")
_lock = threading.Lock()
_release = None


def _before_send(event, hint):
    path = os.environ.get("CORPUS_LABELS")
    if path:
        with _lock, open(path, "a", encoding="utf-8") as f:
            f.write(f"{event['event_id']},{current_label or 'UNLABELLED'},python,{_release}\n")
    return event


def init(dsn, release):
    global _release
    _release = release
    sentry_sdk.init(
        dsn=dsn,
        release=release,
        environment="production",
        server_name="shop-web-1",
        traces_sample_rate=0,
        auto_session_tracking=False,
        send_client_reports=False,
        before_send=_before_send,
    )
