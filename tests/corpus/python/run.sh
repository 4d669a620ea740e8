#!/usr/bin/env bash
# Regenerate tests/fixtures/grouping-sdks/python.jsonl and python-labels.csv from scratch with the
# real sentry-sdk 2.75.0: start the capture server, run both releases of the shop through every
# scenario, stop the server, check the result. Usage (from anywhere): tests/corpus/python/run.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT=$ROOT/tests/fixtures/grouping-sdks
VENV=${PYCORPUS_VENV:-/tmp/pycorpus-venv}
WORK=${PYCORPUS_WORK:-/tmp/larder-pycorpus}
RELEASES="shop@1.0.0 shop@1.0.1"

if ! "$VENV/bin/python" -c 'import sys, sentry_sdk; sys.exit(sentry_sdk.VERSION != "2.75.0")' 2>/dev/null; then
    timeout 300 python3 -m venv "$VENV"
    timeout 300 "$VENV/bin/pip" install -q sentry-sdk==2.75.0
fi

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 600 python3 "$ROOT/tests/corpus/capture.py" "$PORT" "$WORK/capture.jsonl" &
CAPTURE=$!
trap 'kill "$CAPTURE" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1).close()" 2>/dev/null && break
    sleep 0.1
done

DSN="http://pythoncorpuskey@127.0.0.1:$PORT/7"
for release in $RELEASES; do
    # Both releases run from the same directory, as a deploy would: only the line numbers move.
    python3 "$HERE/build_release.py" "$release" "$WORK/app"
    (cd "$WORK/app" && CORPUS_LABELS="$WORK/labels.csv" PYTHONPATH="$WORK/app" \
        timeout 150 "$VENV/bin/python" "$HERE/drive.py" "$DSN" "$release" 2>"$WORK/stderr-$release.txt") \
        || { cat "$WORK/stderr-$release.txt" >&2; exit 1; }
done

kill "$CAPTURE"
wait "$CAPTURE" 2>/dev/null || true
trap - EXIT

cp "$WORK/capture.jsonl" "$OUT/python.jsonl"
cp "$WORK/labels.csv" "$OUT/python-labels.csv"
python3 "$HERE/check.py" "$OUT/python.jsonl" "$OUT/python-labels.csv"
