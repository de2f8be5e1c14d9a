#!/usr/bin/env bash
# CPU used by an idle kiosk showing its health screen (the clock ticks once a second).
# Goal: under 1% of one core. Usage: tests/bench/kiosk_idle_bench.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=${1:-build}
seconds=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/lontar" keys new authority --out "$work/keys" >/dev/null 2>&1
"$build/bin/lontar" terminal init --home "$work/home" --site BENCH --trust "$work/keys/authority.pub" >/dev/null 2>&1
xvfb-run -a -s "-screen 0 ${LONTAR_BENCH_SCREEN:-1920x1080}x24" "$build/bin/lontar-kiosk" --home "$work/home" &
runner=$!
sleep 3  # start-up: fonts, first frames
pid=$(pgrep -n -f "lontar-kiosk --home $work/home")
ticks=$(getconf CLK_TCK)
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
sleep "$seconds"
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
kill "$pid"; wait "$runner" 2>/dev/null || true
used=$(( (u1 - u0) + (s1 - s0) ))
awk -v used="$used" -v ticks="$ticks" -v s="$seconds" \
  'BEGIN { printf "idle kiosk: %.2f s CPU in %d s = %.2f%% of one core (goal < 1%%)\n", used/ticks, s, 100*used/ticks/s }'
