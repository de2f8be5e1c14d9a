#!/usr/bin/env bash
# The image's root helpers (image/scripts/usb-gate, sync-settings, clock-set) against what the
# kiosk's user can put in the directories it owns, without systemd or QEMU: each script is copied
# with its fixed paths pointed into a scratch directory and a stub directory put first on PATH
# (systemctl, chgrp, usbguard, modprobe, lontar record their calls and succeed).
#
#   tests/image/root_helpers_test.sh SOURCE_DIR
#
# Runs as any user; the cases that need to switch users (reading as the kiosk's user) run as
# root only and are skipped otherwise.
set -uo pipefail
src_dir=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

stubs=$scratch/stubs
mkdir -p "$stubs"
# date and hwclock too: clock-set must never set this machine's clock.
for cmd in systemctl chgrp usbguard modprobe lontar hwclock; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\nexit 0\n' "$cmd" "$scratch" >"$stubs/$cmd"
  chmod +x "$stubs/$cmd"
done

# copy SCRIPT NAME SED-EXPRESSION...: the script with its paths rewritten, PATH with the stubs.
copy() {
  local script=$1 name=$2
  shift 2
  local args=(-e "s|^export PATH=.*|export PATH=$stubs:/usr/sbin:/usr/bin:/sbin:/bin|")
  local e
  for e in "$@"; do args+=(-e "$e"); done
  sed "${args[@]}" "$src_dir/image/scripts/$script" >"$scratch/$name"
  chmod +x "$scratch/$name"
}

# --- usb-gate: a request that is not a regular file must not stop later requests -------------
gate_dir=$scratch/usb gate_own=$scratch/gate-own
mkdir -p "$gate_dir"
copy usb-gate usb-gate "s|^dir=.*|dir=$gate_dir|" "s|^own=.*|own=$gate_own|" \
  "s|^mnt=.*|mnt=$scratch/stick|" "s|^hash_file=.*|hash_file=$scratch/technician.code|"
gate_state() { sed -nE 's/.*"state":"([a-z]*)".*/\1/p' "$gate_dir/state" 2>/dev/null; }

for kind in directory "directory with files" fifo symlink; do
  rm -rf "${gate_dir:?}"/* "$gate_own"
  case $kind in
    directory) mkdir "$gate_dir/request" ;;
    "directory with files") mkdir -p "$gate_dir/request/sub" && touch "$gate_dir/request/sub/f" ;;
    fifo) mkfifo "$gate_dir/request" ;;
    symlink) ln -s /etc/passwd "$gate_dir/request" ;;
  esac
  timeout 20 "$scratch/usb-gate" serve 2>>"$scratch/usb-gate.log"
  [ "$(gate_state)" = error ] && pass "usb-gate: a $kind as the request is refused" ||
    fail "usb-gate: a $kind as the request: state '$(gate_state)', expected error"
  [ ! -e "$gate_own/request" ] && [ ! -L "$gate_own/request" ] &&
    pass "usb-gate: the $kind moved aside is removed" ||
    fail "usb-gate: the $kind moved aside is still in the gate's own directory"
  # The next request, a well-formed close written as the kiosk writes it (temporary file and
  # rename), is taken and answered.
  printf '{"action":"close"}\n' >"$gate_dir/request.new" && mv -fT "$gate_dir/request.new" "$gate_dir/request"
  timeout 20 "$scratch/usb-gate" serve 2>>"$scratch/usb-gate.log"
  [ "$(gate_state)" = closed ] && [ ! -e "$gate_dir/request" ] &&
    pass "usb-gate: after a $kind, the next request is handled" ||
    fail "usb-gate: after a $kind, the next request was not taken (state '$(gate_state)')"
done
[ -e /etc/passwd ] || fail "usb-gate removed the symlink's target"

# --- usb-gate: an open gate closes by itself, stick or not ------------------------------------
# A kiosk that crashes in technician mode sends no close. A copy of the gate with its limits at
# zero, a right code (the lontar stub's verify succeeds) and a USB stick (a fake /sys/block entry
# under a usb path, blkid saying vfat, mount/umount/mountpoint stubs keeping a marker file) must
# mount the stick and then close and unmount by itself, without waiting for a request.
fake=$scratch/fake
mkdir -p "$fake/sys/devices/pci0/usb1/1-1/host0/block/sda/sda1" "$fake/sys/block" "$fake/dev"
ln -s "$fake/sys/devices/pci0/usb1/1-1/host0/block/sda" "$fake/sys/block/sda"
touch "$fake/dev/sda" "$fake/dev/sda1" "$scratch/technician.code"
gate_stubs=$scratch/gate-stubs
mkdir -p "$gate_stubs"
printf '#!/bin/sh\ncase "$*" in *TYPE*) echo vfat ;; *LABEL*) echo STICK ;; esac\n' >"$gate_stubs/blkid"
printf '#!/bin/sh\necho "mount $*" >>"%s/calls"\n: >"%s/mounted"\n' "$scratch" "$fake" >"$gate_stubs/mount"
printf '#!/bin/sh\necho "umount $*" >>"%s/calls"\nrm -f "%s/mounted"\n' "$scratch" "$fake" >"$gate_stubs/umount"
printf '#!/bin/sh\n[ -e "%s/mounted" ]\n' "$fake" >"$gate_stubs/mountpoint"
printf '#!/bin/sh\necho 1000\n' >"$gate_stubs/id"
printf '#!/bin/sh\nexit 0\n' >"$gate_stubs/sync"
# lontar: records the code it was asked to verify (the file's text) and says it matches.
printf '#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = --code-file ] && cat "$2" >"%s/verified"; shift; done\nexit 0\n' \
  "$scratch" >"$gate_stubs/lontar"
chmod +x "$gate_stubs"/*
# copy_gate NAME SED...: usb-gate with the fake /sys and /dev and the gate stubs first on PATH.
copy_gate() {
  local name=$1
  shift
  copy usb-gate "$name" "s|^dir=.*|dir=$gate_dir|" "s|^own=.*|own=$gate_own|" \
    "s|^mnt=.*|mnt=$scratch/stick|" "s|^hash_file=.*|hash_file=$scratch/technician.code|" \
    "s|/sys/block/|$fake/sys/block/|g" "s|-b \"/dev/|-e \"$fake/dev/|g" \
    "s|^export PATH=|export PATH=$gate_stubs:|" "$@"
}
open_request() { # CODE: an open request as the kiosk writes it (the code needs no escaping)
  printf '{"action":"open","code":"%s"}\n' "$1" >"$gate_dir/request.new" &&
    mv -fT "$gate_dir/request.new" "$gate_dir/request"
}
copy_gate usb-gate-timed "s|^wait_limit=.*|wait_limit=0|" "s|^open_limit=.*|open_limit=0|"
rm -rf "${gate_dir:?}"/* "$gate_own" "$fake/mounted" "$scratch/calls"
open_request 'kode-teknisi-42'
timeout 20 "$scratch/usb-gate-timed" serve 2>"$scratch/usb-gate-timed.log"
rc=$?
if grep -q 'state mounted' "$scratch/usb-gate-timed.log" && [ $rc -eq 0 ] &&
  [ "$(gate_state)" = closed ] && [ ! -e "$fake/mounted" ] && grep -q '^umount' "$scratch/calls"; then
  pass "usb-gate: a mounted stick is unmounted and the gate closed at the time limit, without a request"
else
  fail "usb-gate: after mounting a stick with no close request: exit $rc, state '$(gate_state)', stick $([ -e "$fake/mounted" ] && echo 'still mounted' || echo unmounted); log: $(tr '\n' ' ' <"$scratch/usb-gate-timed.log")"
fi

# The kiosk restarted after a crash: its close at start unmounts the stick left mounted. The gate
# (default limits) runs in the background until its state says mounted; then the close is sent.
copy_gate usb-gate-plain
rm -rf "${gate_dir:?}"/* "$gate_own" "$fake/mounted" "$scratch/calls"
open_request 'kode-teknisi-42'
timeout 60 "$scratch/usb-gate-plain" serve 2>"$scratch/usb-gate-plain.log" &
gate_pid=$!
for _ in $(seq 200); do [ "$(gate_state)" = mounted ] && break; sleep 0.1; done
printf '{"action":"close"}\n' >"$gate_dir/request.new" && mv -fT "$gate_dir/request.new" "$gate_dir/request"
wait "$gate_pid"
rc=$?
grep -q 'state mounted' "$scratch/usb-gate-plain.log" && [ $rc -eq 0 ] && [ "$(gate_state)" = closed ] &&
  [ ! -e "$fake/mounted" ] &&
  pass "usb-gate: the close a restarted kiosk sends unmounts the stick left mounted" ||
  fail "usb-gate: close after a stick was mounted: exit $rc, state '$(gate_state)'; log: $(tr '\n' ' ' <"$scratch/usb-gate-plain.log")"

# --- usb-gate: what a technician code may contain, the same table as the kiosk's --------------
# Each code of tests/fixtures/technician_codes.txt is sent JSON-escaped as any JSON writer would
# (\" \\ and \u00XX for control characters). An accepted code reaches `lontar technician verify`
# byte for byte; a refused one is an error state and is never verified. No stick (an empty
# /sys/block) and a limit of zero close the opened gate at once.
mkdir -p "$scratch/nosticks"
copy_gate usb-gate-codes "s|^wait_limit=.*|wait_limit=0|" "s|^open_limit=.*|open_limit=0|" \
  "s|$fake/sys/block/|$scratch/nosticks/|g"
json_escape() { # the argument's bytes as the inside of a JSON string
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      '"' | '\') out+="\\$c" ;;
      [$'\001'-$'\037'] | $'\177') out+=$(printf '\\u%04x' "'$c") ;;
      *) out+=$c ;;
    esac
  done
  printf '%s' "$out"
}
codes=0
while IFS=$'\t' read -r verdict hex what; do
  case $verdict in accept | refuse) ;; *) continue ;; esac
  codes=$((codes + 1))
  code=$(printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")")
  rm -rf "${gate_dir:?}"/* "$gate_own" "$scratch/verified"
  open_request "$(json_escape "$code")"
  timeout 20 "$scratch/usb-gate-codes" serve 2>"$scratch/usb-gate-codes.log"
  st=$(gate_state)
  if [ "$verdict" = accept ]; then
    [ -e "$scratch/verified" ] && [ "$(cat "$scratch/verified")" = "$code" ] && [ "$st" = closed ] &&
      pass "usb-gate: accepts $what" ||
      fail "usb-gate: should accept $what: state '$st', verified '$(cat "$scratch/verified" 2>/dev/null)'"
  else
    [ ! -e "$scratch/verified" ] && [ "$st" = error ] && grep -q 'not allowed' "$gate_dir/state" &&
      pass "usb-gate: refuses $what" ||
      fail "usb-gate: should refuse $what: state '$st', verified '$(cat "$scratch/verified" 2>/dev/null)'"
  fi
done <"$src_dir/tests/fixtures/technician_codes.txt"
[ "$codes" -ge 10 ] || fail "usb-gate: only $codes codes read from tests/fixtures/technician_codes.txt"

# --- sync-settings: the kiosk user's sync.conf, read once, as that user, bounded in size and time
chmod 0755 "$scratch"  # the cases run as root read the file as nobody
conf_dir=$scratch/lib conf=$scratch/lib/sync.conf env_file=$scratch/run/sync.env
mkdir -p "$conf_dir" "$scratch/run" && chmod 0755 "$conf_dir"
paths=("s|^src=.*|src=$conf|" "s|^env=.*|env=$env_file|")
if [ "$(id -u)" -eq 0 ]; then
  copy sync-settings sync-settings "${paths[@]}" "s|^as_user=.*|as_user=nobody as_group=nogroup|"
else
  # Without root the user cannot be switched: the read runs as this user.
  copy sync-settings sync-settings "${paths[@]}" \
    's|setpriv --reuid="$as_user" --regid="$as_group" --clear-groups --|env --|'
fi
# A `stat` that, once armed, swaps the file for a symlink to a FIFO nobody writes to, then stats.
printf '#!/bin/sh\nif [ -e "%s/arm-swap" ]; then rm -f "%s/arm-swap" "%s"; ln -s "%s/fifo" "%s"; fi\nexec /usr/bin/stat "$@"\n' \
  "$scratch" "$scratch" "$conf" "$scratch" "$conf" >"$stubs/stat"
chmod +x "$stubs/stat"
mkfifo "$scratch/fifo"
good='LONTAR_SERVER=http://10.0.2.2:8443
LONTAR_SERVER_KEY=/var/lib/lontar/server.pub'

# run_settings NAME: runs the script (20 s at most); sets out, rc.
run_settings() {
  rm -f "$env_file" "$scratch/calls"
  local start=$SECONDS
  out=$(timeout 20 "$scratch/sync-settings" 2>&1)
  rc=$?
  if [ $rc -eq 124 ]; then
    fail "sync-settings, $1: still running after $((SECONDS - start)) s"
  fi
}
expect_refused() { # NAME MESSAGE
  if [ $rc -ne 124 ]; then
    [ $rc -ne 0 ] && [[ $out == *"$2"* ]] && [ ! -e "$env_file" ] && pass "sync-settings: $1 is refused" ||
      fail "sync-settings: $1: exit $rc, env file $([ -e "$env_file" ] && echo written || echo absent), output: $out"
  fi
}

printf '%s\n' "$good" >"$conf" && chmod 0644 "$conf"
run_settings "a valid file"
[ $rc -eq 0 ] && grep -qx 'LONTAR_SERVER=http://10.0.2.2:8443' "$env_file" &&
  grep -q 'systemctl --no-block restart lontar-sync.service' "$scratch/calls" &&
  pass "sync-settings: a valid file is applied" || fail "sync-settings: a valid file: exit $rc: $out"
# Without a relay key the option is empty (systemd then passes no argument for it), so that one set
# in /etc/lontar/sync.conf does not outlive the kiosk's settings.
grep -qx 'LONTAR_SYNC_RELAY=""' "$env_file" && pass "sync-settings: no relay key, no --relay-key" ||
  fail "sync-settings: without a relay key sync.env is: $(cat "$env_file" 2>&1)"

printf '%s\nLONTAR_RELAY_KEY=/var/lib/lontar/relay.pub\n' "$good" >"$conf"
run_settings "a relay key"
[ $rc -eq 0 ] && grep -qx 'LONTAR_SYNC_RELAY="--relay-key /var/lib/lontar/relay.pub"' "$env_file" &&
  [ "$(grep -c . "$env_file")" -eq 3 ] && ! grep -q LONTAR_RELAY_KEY "$env_file" &&
  pass "sync-settings: a relay key becomes LONTAR_SYNC_RELAY=\"--relay-key PATH\"" ||
  fail "sync-settings: a relay key: exit $rc, sync.env: $(cat "$env_file" 2>&1), output: $out"
for bad in relay.pub /var/lib/lontar/../../etc/shadow '/var/lib/lontar/relay.pub --server http://x' \
  '/var/lib/lontar/$HOME.pub'; do
  printf '%s\nLONTAR_RELAY_KEY=%s\n' "$good" "$bad" >"$conf"
  run_settings "relay key $bad"
  expect_refused "LONTAR_RELAY_KEY=$bad" "LONTAR_RELAY_KEY must be an absolute path to the site relay's public key"
done

printf '%s\n' "$good" >"$conf"
touch "$scratch/arm-swap"
run_settings "a FIFO swapped in after the checks"
[ $rc -ne 124 ] && pass "sync-settings: a FIFO swapped in after the checks does not hang it"
rm -f "$scratch/arm-swap" "$conf"

mkfifo "$conf"
run_settings "a FIFO"
expect_refused "a FIFO" "not read within 5 s"
rm -f "$conf"

{ printf '%s\n' "$good"; head -c 5000 /dev/zero | tr '\0' '#'; } >"$conf"
run_settings "a file over 4096 bytes"
expect_refused "a file over 4096 bytes" "larger than 4096 bytes"

ln -sf /dev/zero "$conf"
run_settings "a symlink to /dev/zero"
expect_refused "a symlink to /dev/zero" "larger than 4096 bytes"
rm -f "$conf"

{ printf 'LONTAR_SERVER=http://10.0.2.2:8443\000\n'; printf 'LONTAR_SERVER_KEY=/k.pub\n'; } >"$conf"
run_settings "a NUL byte"
expect_refused "a NUL byte" "holds NUL bytes"

printf '%s\nLD_PRELOAD=/tmp/x.so\n' "$good" >"$conf"
run_settings "another setting"
expect_refused "another setting" "only LONTAR_SERVER, LONTAR_SERVER_KEY and LONTAR_RELAY_KEY may be set"

if [ "$(id -u)" -eq 0 ]; then
  # Root could read this file; the kiosk's user (here nobody) cannot, so neither may the helper.
  printf '%s\n' "$good" >"$conf" && chmod 0600 "$conf"
  run_settings "a file its user cannot read"
  expect_refused "a file the kiosk's user cannot read" "cannot be read by the user nobody"
else
  echo "skipped: reading as the kiosk's user (needs root)"
fi

# --- clock-set: only the kiosk's exact form, only with the USB gate open -----------------------
# `date -u -s` is rewritten to a recorded call (the stubs' date would also answer date's other
# uses, which clock-set needs for its messages); /etc/localtime and /etc/timezone point into the
# scratch directory: this test never changes this machine's clock or zone.
clock_dir=$scratch/clock clock_own=$scratch/clock-own clock_etc=$scratch/etc
mkdir -p "$clock_dir" "$clock_etc" "$scratch/gate-open"
copy clock-set clock-set "s|^dir=.*|dir=$clock_dir|" "s|^own=.*|own=$clock_own|" \
  "s|^gate_open=.*|gate_open=$scratch/gate-open/open|" "s|/etc/localtime|$clock_etc/localtime|g" \
  "s|/etc/timezone|$clock_etc/timezone|g" "s|date -u -s \"@\$utc\"|echo \"date -u -s @\$utc\" >>$scratch/calls|"
grep -q 'date -u -s @' "$scratch/clock-set" && ! grep -qE '^[^#]*date -u -s "' "$scratch/clock-set" &&
  pass "clock-set: the test's copy cannot set the clock" || { fail "clock-set: date -s not rewritten"; exit 1; }
clock_state() { cat "$clock_dir/state" 2>/dev/null; }
run_clock() { # REQUEST-TEXT: the request written as the kiosk would, then the helper run once
  : >"$scratch/calls"
  printf '%s' "$1" >"$clock_dir/request"
  timeout 20 "$scratch/clock-set" 2>>"$scratch/clock-set.log"
}
good='{"id":"0123456789abcdef","utc":1796523300,"zone":"Asia/Makassar"}'

rm -f "$scratch/gate-open/open"
run_clock "$good"$'\n'
[[ $(clock_state) == *'"state":"error"'*'USB gate is closed'* ]] && ! grep -q 'date -u -s' "$scratch/calls" &&
  pass "clock-set: refused while the USB gate is closed" || fail "clock-set with the gate closed: $(clock_state)"

touch "$scratch/gate-open/open"
run_clock "$good"$'\n'
[[ $(clock_state) == '{"id":"0123456789abcdef","state":"done",'* ]] &&
  grep -qx 'date -u -s @1796523300' "$scratch/calls" && grep -qx 'hwclock --systohc --utc' "$scratch/calls" &&
  [ "$(readlink "$clock_etc/localtime")" = /usr/share/zoneinfo/Asia/Makassar ] &&
  [ "$(cat "$clock_etc/timezone")" = Asia/Makassar ] && [ ! -e "$clock_dir/request" ] &&
  pass "clock-set: the kiosk's request sets the clock, the hardware clock and the zone" ||
  fail "clock-set with a good request: $(clock_state); calls: $(cat "$scratch/calls")"

for bad in '{"id":"0123456789abcdef","utc":1796523300,"zone":"Asia/Bangkok"}' \
  '{"id":"0123456789ABCDEF","utc":1796523300,"zone":"Asia/Jakarta"}' \
  '{"id":"0123456789abcdef","utc":1796523300,"zone":"Asia/Jakarta","x":1}' \
  '{"id":"0123456789abcdef", "utc":1796523300,"zone":"Asia/Jakarta"}' \
  '{"id":"0123456789abcdef","utc":1796523300,"zone":"../../../tmp/x"}'; do
  run_clock "$bad"
  [[ $(clock_state) == *'"state":"error"'*'not in the form'* ]] && ! grep -q 'date -u -s' "$scratch/calls" &&
    pass "clock-set: refused: $bad" || fail "clock-set accepted $bad: $(clock_state)"
done

run_clock '{"id":"0123456789abcdef","utc":1500000000,"zone":"Asia/Jakarta"}'
[[ $(clock_state) == *'"state":"error"'*'between 2024 and 2099'* ]] && ! grep -q 'date -u -s' "$scratch/calls" &&
  pass "clock-set: a time before 2024 is refused" || fail "clock-set with 2017: $(clock_state)"

rm -f "$clock_dir/request"
ln -s /etc/passwd "$clock_dir/request"
: >"$scratch/calls"
timeout 20 "$scratch/clock-set" 2>>"$scratch/clock-set.log"
[ ! -e "$clock_dir/request" ] && [ ! -L "$clock_dir/request" ] && ! grep -q 'date -u -s' "$scratch/calls" &&
  pass "clock-set: a symlink as the request is moved aside, nothing set" ||
  fail "clock-set with a symlink request"

echo "root helpers: $failures failure(s)"
[ "$failures" -eq 0 ]
