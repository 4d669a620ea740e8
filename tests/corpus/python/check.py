#!/usr/bin/env python3
"""Check a captured corpus against its labels: check.py CORPUS.jsonl LABELS.csv

- every labelled event id is in the corpus exactly once and every corpus event is labelled;
- every label sits where its bug is: the innermost frame of an exception inside the application
  is the faulty function (or, for a library crash, the application frame that called it), and
  message events carry the expected message template;
- prints events per label and release, exception types and messages seen, and frames whose
  in_app flag looks wrong (SDK or interpreter files flagged in_app).
Exits 1 on any inconsistency.
"""
import base64
import collections
import csv
import gzip
import json
import sys
import zlib

# label -> (module, function) of the innermost application frame, or ("message", text prefix)
SITES = {
    "py-price-missing-sku": ("shop.catalog", "unit_price"),
    "py-user-missing-id": ("shop.accounts", "get"),
    "py-quantity-not-int": ("shop.forms", "parse_quantity"),
    "py-page-not-int": ("shop.query", "parse_page"),
    "py-settings-unknown-key": ("shop.settings", "parse_settings"),
    "py-import-bad-json": ("shop.importer", "load_orders"),
    "py-webhook-bad-json": ("shop.webhooks", "parse_incoming"),
    "py-refund-split-chained": ("shop.refunds", "split_refund"),
    "py-leaderboard-sort-none": ("shop.reports", "_nickname_key"),
    "py-email-none": ("shop.notify", "normalize_email"),
    "py-export-format-price": ("shop.export", "_format_row"),
    "py-payment-declined-message": ("message", "Payment "),
    "py-stock-negative-log": ("message", "stock for %s fell below zero (%d)"),
    "py-webhook-failed-log": ("message", "webhook "),
}


def envelope_event(body, encoding):
    enc = (encoding or "").lower()
    if enc == "gzip":
        body = gzip.decompress(body)
    elif enc == "deflate":
        body = zlib.decompress(body)
    header, rest = body.split(b"\n", 1)
    while rest:
        item_header, rest = rest.split(b"\n", 1)
        item = json.loads(item_header)
        n = item.get("length")
        if n is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:n], rest[n + 1:]
        if item.get("type") == "event":
            return json.loads(header), json.loads(payload)
    return json.loads(header), None


def main():
    corpus_path, labels_path = sys.argv[1:3]
    problems = []
    events = {}
    for n, line in enumerate(open(corpus_path, encoding="utf-8"), 1):
        rec = json.loads(line)
        headers = {k.lower(): v for k, v in rec["headers"].items()}
        env_header, event = envelope_event(base64.b64decode(rec["body_b64"]), headers.get("content-encoding"))
        if event is None:
            problems.append(f"line {n}: no event item")
            continue
        eid = event["event_id"]
        if env_header.get("event_id") not in (None, eid):
            problems.append(f"line {n}: envelope header id differs from event id")
        if eid in events:
            problems.append(f"line {n}: duplicate event id {eid}")
        events[eid] = event

    labels = {}
    for row in csv.reader(open(labels_path, encoding="utf-8")):
        eid, label, sdk, release = row
        if eid in labels:
            problems.append(f"label file: duplicate id {eid}")
        labels[eid] = (label, sdk, release)

    for eid in labels.keys() - events.keys():
        problems.append(f"labelled but not captured: {eid} {labels[eid]}")
    for eid in events.keys() - labels.keys():
        problems.append(f"captured but not labelled: {eid}")

    per_label = collections.Counter()
    per_release = collections.Counter()
    seen = collections.defaultdict(collections.Counter)
    odd_in_app = collections.Counter()
    for eid, (label, sdk, release) in sorted(labels.items()):
        event = events.get(eid)
        if event is None:
            continue
        per_label[label] += 1
        per_release[(label, release)] += 1
        if event.get("release") != release:
            problems.append(f"{eid}: release {event.get('release')} != label {release}")
        site = SITES.get(label)
        if site is None:
            problems.append(f"{eid}: unknown label {label}")
            continue
        values = (event.get("exception") or {}).get("values") or []
        for value in values:
            for fr in (value.get("stacktrace") or {}).get("frames", []):
                path = fr.get("abs_path") or ""
                if fr.get("in_app") and not fr.get("module", "").startswith("shop"):
                    odd_in_app[f"in_app=true {fr.get('module')} {path}"] += 1
                if fr.get("module", "").startswith("shop") and not fr.get("in_app"):
                    odd_in_app[f"in_app={fr.get('in_app')} {fr.get('module')} {path}"] += 1
                if "in_app" not in fr:
                    odd_in_app[f"in_app missing: {fr.get('module')} {path}"] += 1
        if site[0] == "message":
            logentry = event.get("logentry") or {}
            text = logentry.get("message") or event.get("message") or ""
            if values or not text.startswith(site[1]):
                problems.append(f"{eid} {label}: unexpected message event {text!r}")
            mech = "log" if event.get("logger") else "capture_message"
            seen[label][f"{mech}: {text}  [params={logentry.get('params')}, formatted={logentry.get('formatted')!r}]"] += 1
            continue
        if not values:
            problems.append(f"{eid} {label}: no exception")
            continue
        last = values[-1]  # the exception that was raised last (outermost of a chain)
        frames = [f for v in values for f in (v.get("stacktrace") or {}).get("frames", [])]
        app = [f for f in (last.get("stacktrace") or {}).get("frames", []) if f.get("module", "").startswith("shop")]
        if not app or (app[-1].get("module"), app[-1].get("function")) != site:
            got = (app[-1].get("module"), app[-1].get("function")) if app else None
            problems.append(f"{eid} {label}: innermost app frame {got} != {site}")
        mech = (last.get("mechanism") or {})
        seen[label][f"{' <- '.join(v['type'] for v in reversed(values))}: {last.get('value')}"
                    f"  [mechanism={mech.get('type')}, handled={mech.get('handled')}, top={frames[-1].get('module')}.{frames[-1].get('function')}]"] += 1

    print(f"{len(events)} events in {corpus_path}, {len(labels)} labels, {len(per_label)} distinct labels")
    for label in sorted(per_label):
        releases = ", ".join(f"{r}: {n}" for (l, r), n in sorted(per_release.items()) if l == label)
        print(f"  {label:30} {per_label[label]:3}  ({releases})")
        for text, n in sorted(seen[label].items()):
            print(f"      {n} x {text}")
    if odd_in_app:
        print("frames with a surprising in_app flag:")
        for text, n in sorted(odd_in_app.items()):
            print(f"  {n:4} x {text}")
    for label, n in per_label.items():
        if not 6 <= n <= 15:
            problems.append(f"{label}: {n} events (want 6-15)")
    if problems:
        print("PROBLEMS:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
