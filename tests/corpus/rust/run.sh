#!/usr/bin/env bash
# Regenerates tests/fixtures/grouping-sdks/rust.jsonl and rust-labels.csv from scratch with the
# real Rust `sentry` SDK (0.49.5). Usage: tests/corpus/rust/run.sh   (from anywhere)
# Env: CARGO_TARGET_DIR (default /tmp/corpus-rust-target, outside the repo), PORT (default: a free one).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT="$ROOT/tests/fixtures/grouping-sdks"
TARGET=${CARGO_TARGET_DIR:-/tmp/corpus-rust-target}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DSN="http://rustcorpus@127.0.0.1:$PORT/4"
RELEASES="1.0.0 1.0.1"
SCENARIOS="storefront backoffice warehouse boot"
WORK=$(mktemp -d /tmp/corpus-rust-run.XXXXXX)
CAPTURE_PID=""
cleanup() {
    if [ -n "$CAPTURE_PID" ]; then kill "$CAPTURE_PID" 2>/dev/null || true; wait "$CAPTURE_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# 1. One binary per release: src/shop.rs and src/config.rs are copied from releases/<release>/
#    (same file names and module paths in both releases; only the line numbers differ).
for rel in $RELEASES; do
    cp "$HERE/releases/$rel/shop.rs" "$HERE/releases/$rel/config.rs" "$HERE/src/"
    (cd "$HERE" && CARGO_TARGET_DIR="$TARGET" nice -n 10 timeout 1500 cargo build --locked --quiet)
    cp "$TARGET/debug/corpus-rust" "$WORK/corpus-rust-$rel"
done

# 2. The shared capture server.
: > "$WORK/rust.jsonl"
python3 "$ROOT/tests/corpus/capture.py" "$PORT" "$WORK/rust.jsonl" 2>"$WORK/capture.log" &
CAPTURE_PID=$!
for _ in $(seq 50); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/', timeout=1)" 2>/dev/null; then break; fi
    sleep 0.2
done

# 3. Every scenario in every release; the app prints "LABEL <event_id>,<label>" per event sent.
: > "$WORK/rust-labels.csv"
for rel in $RELEASES; do
    for scenario in $SCENARIOS; do
        echo "== $rel $scenario" >&2
        timeout 60 "$WORK/corpus-rust-$rel" "$scenario" "$DSN" "$rel" > "$WORK/out.txt"
        sed -n "s/^LABEL \(.*\)$/\1,rust,$rel/p" "$WORK/out.txt" >> "$WORK/rust-labels.csv"
    done
done
sleep 1
kill "$CAPTURE_PID"; wait "$CAPTURE_PID" 2>/dev/null || true; CAPTURE_PID=""

# 4. Check: every labelled id was captured and every captured event is labelled; print counts.
python3 - "$WORK/rust.jsonl" "$WORK/rust-labels.csv" <<'PY'
import base64, collections, json, sys, zlib
ids = []
for line in open(sys.argv[1]):
    rec = json.loads(line)
    body = base64.b64decode(rec["body_b64"])
    if rec["headers"].get("Content-Encoding", "").lower() == "gzip":
        body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
    ids.append(json.loads(body.split(b"\n", 1)[0])["event_id"].replace("-", ""))
labels = [l.strip().split(",") for l in open(sys.argv[2]) if l.strip()]
lab_ids = [l[0] for l in labels]
assert len(set(ids)) == len(ids), "duplicate captured event ids"
assert len(set(lab_ids)) == len(lab_ids), "duplicate labelled event ids"
missing, unlabelled = set(lab_ids) - set(ids), set(ids) - set(lab_ids)
assert not missing and not unlabelled, f"labelled but not captured: {missing}; captured but unlabelled: {unlabelled}"
per = collections.Counter(l[1] for l in labels)
for label, n in sorted(per.items()):
    print(f"{n:4d}  {label}", file=sys.stderr)
print(f"{len(labels):4d}  events, {len(per)} labels", file=sys.stderr)
PY

mkdir -p "$OUT"
cp "$WORK/rust.jsonl" "$OUT/rust.jsonl"
cp "$WORK/rust-labels.csv" "$OUT/rust-labels.csv"
echo "wrote $OUT/rust.jsonl and $OUT/rust-labels.csv" >&2
