#!/usr/bin/env python3
"""Checks a captured corpus against its labels: every labelled event id is in the jsonl exactly
once and vice versa; prints events per label and release.

usage: check.py CORPUS.jsonl LABELS.csv
"""
import base64
import collections
import csv
import json
import sys
import zlib


def events(path):
    for line in open(path, encoding="utf-8"):
        record = json.loads(line)
        body = base64.b64decode(record["body_b64"])
        enc = {k.lower(): v for k, v in record["headers"].items()}.get("content-encoding", "")
        if enc == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        lines = body.split(b"\n")
        header = json.loads(lines[0])
        for i in range(1, len(lines) - 1, 2):
            if json.loads(lines[i]).get("type") == "event":
                yield header.get("event_id"), json.loads(lines[i + 1])


def main():
    corpus, labels_path = sys.argv[1], sys.argv[2]
    ids = collections.Counter(eid for eid, _ in events(corpus))
    labels = list(csv.reader(open(labels_path, encoding="utf-8")))
    labelled = collections.Counter(row[0] for row in labels)
    errors = []
    errors += [f"event {e} sent {n} times" for e, n in ids.items() if n != 1]
    errors += [f"label row for {e} repeated" for e, n in labelled.items() if n != 1]
    errors += [f"labelled event {e} not captured" for e in labelled if e not in ids]
    errors += [f"captured event {e} not labelled" for e in ids if e not in labelled]
    per = collections.Counter((row[1], row[3]) for row in labels)
    releases = sorted({row[3] for row in labels})
    print(f"{'label':34} " + " ".join(f"{r:>16}" for r in releases) + "   total")
    for label in sorted({row[1] for row in labels}):
        counts = [per[(label, r)] for r in releases]
        print(f"{label:34} " + " ".join(f"{c:16d}" for c in counts) + f"   {sum(counts):5d}")
    print(f"{len(labels)} labelled events, {len(ids)} captured events, {len({r[1] for r in labels})} labels")
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
