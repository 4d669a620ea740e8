#!/usr/bin/env bash
# One ingest benchmark run, as in BENCHMARKS.md: a fresh database, a release `larder serve`,
# `examples/loadgen` against it, and one JSON line with what the run measured: the generator's
# report, the server's CPU per accepted event (utime + stime from /proc), the writer thread's,
# the peak resident set (VmHWM) and the writer's stage times per event from /metrics.
#
#   benches/ingest-run.sh [sqlite|postgres] [loadgen options...]
#   BIN=target/dist benches/ingest-run.sh sqlite --duration 60 --pool 720000
#
# Build first: `cargo build --profile dist --bin larder --example loadgen`.
# SOURCEMAPS=1 uploads the source maps of tests/fixtures/sourcemaps/ with the real sentry-cli
# (tests/sourcemaps/node_modules: `cd tests/sourcemaps && npm ci`) before the load starts; with
# `--event node-minified` every event's frames are then source-mapped at ingest.
# BIN is the folder holding `larder` and `examples/loadgen` (default target/dist); PORT the
# server's port (default 8774). PostgreSQL runs drop and create the database `larder_bench` on
# PG_URL's server (default postgres://postgres@127.0.0.1:5432). Defaults: 32 connections,
# 20 s, 1,000 issues, --pool 240000 (enough for 12,000 events/s); later options win.
set -euo pipefail

usage="usage: $0 [sqlite|postgres] [loadgen options...] (the options: target/dist/examples/loadgen --help)"
backend=${1:-sqlite}
shift || true
bin=${BIN:-target/dist}
port=${PORT:-8774}
pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d /tmp/larder-bench.XXXXXX)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

case $backend in
sqlite) export LARDER_DATABASE_URL="sqlite://$work/larder.db" ;;
postgres)
    psql -q "$pg_url/postgres" -c 'DROP DATABASE IF EXISTS larder_bench' \
        -c 'CREATE DATABASE larder_bench'
    export LARDER_DATABASE_URL="$pg_url/larder_bench"
    ;;
-h | --help) echo "$usage" && exit 0 ;;
*) echo "$usage" >&2 && exit 2 ;;
esac

dsn=$("$bin/larder" project create bench --public-url "http://127.0.0.1:$port" | tail -1)
LARDER_LOG=warn "$bin/larder" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/ready" >/dev/null; do sleep 0.1; done

if [ -n "${SOURCEMAPS:-}" ]; then
    mkdir "$work/dist"
    cp tests/fixtures/sourcemaps/app.min.mjs tests/fixtures/sourcemaps/app.min.mjs.map "$work/dist/"
    token=$("$bin/larder" token create --name bench | tail -1)
    SENTRY_DISABLE_UPDATE_CHECK=1 tests/sourcemaps/node_modules/.bin/sentry-cli \
        --url "http://127.0.0.1:$port" --auth-token "$token" sourcemaps upload \
        --org default --project bench --release 1.0.0 "$work/dist" >"$work/upload.log" 2>&1
fi

# utime + stime of /proc/<pid>[/task/<tid>]/stat, in clock ticks.
ticks() { awk '{ print $14 + $15 }' "$1"; }
writer_stat() { grep -l '^larder-writer$' /proc/"$server"/task/*/comm | sed 's/comm$/stat/'; }
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1 == name { print $2 }'; }

writer=$(writer_stat)
cpu_before=$(ticks /proc/"$server"/stat)
writer_before=$(ticks "$writer")
report=$("$bin/examples/loadgen" --dsn "$dsn" --concurrency 32 --duration 20 --issues 1000 \
    --pool 240000 "$@")
cpu_after=$(ticks /proc/"$server"/stat)
writer_after=$(ticks "$writer")

jobs=$(metric 'larder_writer_total{kind="jobs"}')
stages=$(curl -s "http://127.0.0.1:$port/metrics" |
    sed -n 's/^larder_writer_stage_microseconds_total{kind="\([a-z_]*\)"} \([0-9]*\)$/\1 \2/p' |
    awk -v jobs="$jobs" '{ printf "%s\"%s\":%.1f", (NR > 1 ? "," : ""), $1, $2 / jobs }')
hwm_kb=$(awk '/^VmHWM/ { print $2 }' /proc/"$server"/status)
rss_kb=$(awk '/^VmRSS/ { print $2 }' /proc/"$server"/status)
tick=$(getconf CLK_TCK)

python3 - "$report" "$jobs" "$cpu_before" "$cpu_after" "$writer_before" "$writer_after" \
    "$tick" "$hwm_kb" "$rss_kb" "{$stages}" <<'EOF'
import json, sys
report, jobs, c0, c1, w0, w1, tick, hwm, rss, stages = sys.argv[1:]
report = json.loads(report)
jobs, tick = int(jobs), int(tick)
per_event_us = lambda t0, t1: round((int(t1) - int(t0)) / tick * 1e6 / jobs, 1)
report.pop("p99_ms_by_second")
report.update(
    server_cpu_us_per_event=per_event_us(c0, c1),
    writer_cpu_us_per_event=per_event_us(w0, w1),
    rss_peak_mb=round(int(hwm) / 1024, 1),
    rss_after_mb=round(int(rss) / 1024, 1),
    writer_stage_us_per_event=json.loads(stages),
)
print(json.dumps(report))
EOF
