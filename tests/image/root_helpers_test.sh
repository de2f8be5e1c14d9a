#!/usr/bin/env bash
# The image's root helpers (image/scripts/usb-gate, image/scripts/sync-settings) against what the
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
for cmd in systemctl chgrp usbguard modprobe lontar; do
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

echo "root helpers: $failures failure(s)"
[ "$failures" -eq 0 ]
