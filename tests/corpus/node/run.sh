#!/usr/bin/env bash
# Regenerates tests/fixtures/grouping-sdks/node.jsonl and node-labels.csv from scratch:
# installs the pinned SDK (npm ci), starts the shared capture server, plays every scenario of
# app/scenarios.js in release 1.0.0 and in release 1.0.1 (built from app/ by build.js into the
# same build/app/ path), stops the server and checks that events and labels match.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT_DIR="$ROOT/tests/fixtures/grouping-sdks"
JSONL="$OUT_DIR/node.jsonl"
LABELS="$OUT_DIR/node-labels.csv"
PROJECT=4
cd "$HERE"
mkdir -p "$OUT_DIR"

if [ ! -d node_modules/@sentry/node ]; then
  timeout 300 nice -n 10 npm ci --no-audit --no-fund
fi
installed="$(node -p "require('@sentry/node/package.json').version")"
[ "$installed" = "11.12.0" ] || { echo "expected @sentry/node 11.12.0, found $installed" >&2; exit 1; }

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
tmp="$(mktemp -d)"
rm -f "$JSONL" "$LABELS"
python3 "$ROOT/tests/corpus/capture.py" "$PORT" "$tmp/node.jsonl" 2>"$tmp/capture.log" &
CAPTURE_PID=$!
trap 'kill "$CAPTURE_PID" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done

DSN="http://nodekey@127.0.0.1:$PORT/$PROJECT"
for version in 1.0.0 1.0.1; do
  node build.js "$version"
  timeout 120 nice -n 10 node build/app/main.js "$DSN" "$version" "$tmp/labels.csv" 2>"$tmp/app-$version.log" \
    || { cat "$tmp/app-$version.log" >&2; exit 1; }
  grep '^\[driver\]' "$tmp/app-$version.log" >&2
  crashes="$(node -p "require('./build/app/scenarios').schedule('$version' === '1.0.0' ? 0 : 1).filter((s) => s.crash).length")"
  for ((i = 0; i < crashes; i++)); do
    status=0
    timeout 60 nice -n 10 node build/app/main.js "$DSN" "$version" "$tmp/labels.csv" crash "$i" 2>"$tmp/crash.log" || status=$?
    if [ "$status" != 1 ] || ! grep -q '^\[driver\] .*: ok$' "$tmp/crash.log"; then
      cat "$tmp/crash.log" >&2; echo "crash scenario $i of $version: exit status $status" >&2; exit 1
    fi
  done
  echo "[driver] node-shop@$version: $crashes crash scenarios, one process each" >&2
done
sleep 0.5
kill "$CAPTURE_PID"
wait "$CAPTURE_PID" 2>/dev/null || true

mv "$tmp/node.jsonl" "$JSONL"
mv "$tmp/labels.csv" "$LABELS"
python3 "$HERE/check.py" "$JSONL" "$LABELS"
