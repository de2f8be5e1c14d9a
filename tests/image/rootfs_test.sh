#!/usr/bin/env bash
# The appliance image without booting it: reads image/build's output (rootfs/ as written to the
# disk, cmdline, lontar.img) and checks that the .deb is installed, the units are enabled, and
# every lockdown setting of image/README.md is in place, using `systemctl --root` and the files.
#
#   tests/image/rootfs_test.sh IMAGE_DIR [--technician-code-file F]
#
# With --technician-code-file (the code image/build was given) it checks that the image's
# technician code hash accepts that code and refuses another; without it, that the image has none.
set -uo pipefail
out=$(readlink -f "$1")
code_file=""
[ "${2:-}" != --technician-code-file ] || code_file=$(readlink -f "$3")
root=$out/rootfs
failures=0
fail() { echo "rootfs_test: FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "rootfs_test: ok: $*"; }
[ -d "$root/etc" ] || { echo "rootfs_test: $root is not a root filesystem" >&2; exit 1; }

# The last value KEY gets in the given files, in the order systemd reads them (main file first,
# then drop-ins sorted by file name, /etc winning over /usr/lib for the same name).
effective() { # KEY MAIN-FILE DROPIN-DIR...
  local key=$1 main=$2 value="" f
  shift 2
  local -A chosen=()
  for d in "$@"; do
    for f in "$root/usr/lib/$d"/*.conf "$root/lib/$d"/*.conf "$root/run/$d"/*.conf "$root/etc/$d"/*.conf; do
      [ -f "$f" ] && chosen[$(basename "$f")]=$f
    done
  done
  for f in "$root/$main" $(printf '%s\n' "${!chosen[@]}" | sort | while read -r n; do echo "${chosen[$n]}"; done); do
    [ -f "$f" ] || continue
    v=$(grep -E "^\s*$key\s*=" "$f" | tail -1 | sed -E 's/^[^=]*=\s*//; s/\s+$//')
    [ -n "$v" ] && value=$v
  done
  echo "$value"
}
expect() { # WHAT ACTUAL WANTED
  if [ "$2" = "$3" ]; then pass "$1 = $3"; else fail "$1 is '$2', want '$3'"; fi
}

# --- the package -------------------------------------------------------------------------------
status=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status} ${Version}' lontar 2>&1)
case $status in "install ok installed"*) pass "lontar installed ($status)" ;; *) fail "lontar not installed: $status" ;; esac
for f in usr/bin/lontar usr/bin/lontar-kiosk usr/bin/cage usr/share/lontar/assets/i18n/id.json \
  usr/share/fonts/truetype/noto/NotoSans-Regular.ttf usr/share/fonts/truetype/noto/NotoSans-Bold.ttf; do
  [ -e "$root/$f" ] && pass "/$f present" || fail "/$f missing"
done
# Every shared library the programs need resolves inside the image.
for b in usr/bin/lontar usr/bin/lontar-kiosk usr/bin/cage; do
  missing=$(chroot "$root" ldd "/$b" 2>&1 | grep 'not found')
  [ -z "$missing" ] && pass "/$b: all libraries present" || fail "/$b: $missing"
done
grep -q '^lontar:[^:]*:[0-9]*:[0-9]*:[^:]*:/var/lib/lontar:/usr/sbin/nologin$' "$root/etc/passwd" &&
  pass "user lontar, home /var/lib/lontar, no login shell" || fail "user lontar missing or has a shell"
grep -q '^lontar-net:' "$root/etc/group" && pass "group lontar-net" || fail "group lontar-net missing"

# --- units -------------------------------------------------------------------------------------
sc() { systemctl --root="$root" "$@" 2>/dev/null; }
for u in lontar-kiosk.service lontar-sync.service lontar-vault-key.service systemd-networkd.service \
  nftables.service usbguard.service lontar-usb.path lontar-sync-settings.path lontar-sync-settings.service \
  lontar-clock.path; do
  expect "$u" "$(sc is-enabled "$u")" enabled
done
expect "default target" "$(sc get-default)" graphical.target
for u in getty@.service autovt@.service serial-getty@.service console-getty.service \
  container-getty@.service debug-shell.service ctrl-alt-del.target sleep.target suspend.target \
  hibernate.target hybrid-sleep.target suspend-then-hibernate.target systemd-coredump.socket; do
  expect "$u" "$(sc is-enabled "$u")" masked
done
# The kiosk unit: unprivileged, on tty1, restarted forever, credential from the encrypted store.
kiosk_unit=$root/usr/lib/systemd/system/lontar-kiosk.service
for line in User=lontar PAMName=login TTYPath=/dev/tty1 Restart=always StartLimitIntervalSec=0 \
  "RestrictAddressFamilies=AF_UNIX AF_NETLINK" IPAddressDeny=any NoNewPrivileges=yes \
  LoadCredentialEncrypted=lontar-vault-key:/etc/credstore.encrypted/lontar-vault-key; do
  grep -qx "$line" "$kiosk_unit" && pass "lontar-kiosk.service: $line" || fail "lontar-kiosk.service lacks $line"
done
# Its sandbox (docs/security.md; the boot test shows it from inside the running unit).
for line in CapabilityBoundingSet= RestrictNamespaces=yes SystemCallArchitectures=native \
  "SystemCallFilter=@system-service mincore" "SystemCallFilter=~io_uring_setup io_uring_enter io_uring_register" \
  ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes LockPersonality=yes \
  DevicePolicy=closed ProtectSystem=strict "DeviceAllow=char-alsa rw" \
  "SupplementaryGroups=video render input audio" \
  "ExecStart=/usr/lib/lontar/kiosk-seccomp /usr/lib/lontar/kiosk-session"; do
  grep -qxF "$line" "$kiosk_unit" && pass "lontar-kiosk.service: $line" || fail "lontar-kiosk.service lacks $line"
done
expect "user@.service (no user service manager for the kiosk's session)" "$(sc is-enabled user@.service)" masked
# kiosk-seccomp, run here on the build machine's kernel: udev's netlink protocol opens, the
# routing one does not, an ordinary socket does.
netlink=$(chroot "$root" /usr/lib/lontar/kiosk-seccomp /usr/bin/perl -e \
  'for my $p (15, 0) { print socket(my $s, 16, 3, $p) ? "open " : "refused " } print socket(my $u, 1, 1, 0) ? "open" : "refused"' 2>&1)
expect "kiosk-seccomp: netlink uevent, netlink route, unix" "$netlink" "open refused open"
session=$root/usr/lib/lontar/kiosk-session
grep -qE '^exec /usr/bin/cage -d -- /usr/bin/lontar-kiosk --home /var/lib/lontar$' "$session" &&
  pass "cage runs only lontar-kiosk, without -s (no VT switching)" || fail "kiosk-session does not exec cage -d -- lontar-kiosk"
grep -q 'WLR_XWAYLAND=/bin/false' "$session" && pass "no Xwayland" || fail "Xwayland not disabled"
sync_unit=$root/usr/lib/systemd/system/lontar-sync.service
grep -q '^ExecStart=/usr/bin/lontar sync .* --watch$' "$sync_unit" && grep -qx 'Group=lontar-net' "$sync_unit" &&
  pass "lontar-sync.service runs lontar sync --watch as group lontar-net" || fail "lontar-sync.service is not lontar sync --watch as lontar-net"
# Sync settings: root's /etc/lontar/sync.conf, then the kiosk's, checked by the root service into
# /run/lontar/sync.env; the file the kiosk's user writes is never an EnvironmentFile itself.
for line in EnvironmentFile=-/etc/lontar/sync.conf EnvironmentFile=-/run/lontar/sync.env \
  'ConditionPathExists=|/etc/lontar/sync.conf' 'ConditionPathExists=|/run/lontar/sync.env'; do
  grep -qxF "$line" "$sync_unit" && pass "lontar-sync.service: $line" || fail "lontar-sync.service lacks $line"
done
# A site relay's key: the whole option in one variable, unbraced (no argument when it is unset).
grep -qE '^ExecStart=/usr/bin/lontar sync .* --server-key \$\{LONTAR_SERVER_KEY\} \$LONTAR_SYNC_RELAY --watch$' "$sync_unit" &&
  pass "lontar-sync.service passes \$LONTAR_SYNC_RELAY (--relay-key PATH) unbraced" ||
  fail "lontar-sync.service does not pass \$LONTAR_SYNC_RELAY unbraced before --watch"
grep -q 'LONTAR_RELAY_KEY)' "$root/usr/lib/lontar/sync-settings" && pass "sync-settings takes LONTAR_RELAY_KEY" ||
  fail "sync-settings does not take LONTAR_RELAY_KEY"
! grep -qE '^EnvironmentFile=-?/var/lib/lontar/' "$sync_unit" && pass "lontar-sync.service does not read the kiosk's file as it is" ||
  fail "lontar-sync.service reads /var/lib/lontar/sync.conf directly"
units=$root/usr/lib/systemd/system
unit_has() { # UNIT LINE...
  local u=$1 l
  shift
  for l in "$@"; do
    grep -qxF "$l" "$units/$u" && pass "$u: $l" || fail "$u lacks $l"
  done
}
unit_has lontar-sync-settings.path PathChanged=/var/lib/lontar/sync.conf Unit=lontar-sync-settings.service
unit_has lontar-sync-settings.service ExecStart=/usr/lib/lontar/sync-settings Before=lontar-sync.service TimeoutStartSec=30
# Technician mode's USB gate: a root service started by the kiosk's request file.
unit_has lontar-usb.path PathExists=/run/lontar/usb/request Unit=lontar-usb.service
unit_has lontar-clock.path PathExists=/run/lontar/clock/request Unit=lontar-clock.service
unit_has lontar-clock.service ExecStart=/usr/lib/lontar/clock-set NoNewPrivileges=yes PrivateNetwork=yes
expect "the image's time zone" "$(readlink "$root/etc/localtime") $(cat "$root/etc/timezone")" \
  "/usr/share/zoneinfo/Asia/Jakarta Asia/Jakarta"
unit_has lontar-usb.service 'ExecStart=/usr/lib/lontar/usb-gate serve' 'ExecStopPost=/usr/lib/lontar/usb-gate cleanup'
! grep -qE '^(User|DynamicUser|PrivateTmp|ProtectSystem|PrivateMounts|ProtectHome)=' "$units/lontar-usb.service" &&
  pass "lontar-usb.service runs as root in the host's mount namespace (its mounts reach the kiosk)" ||
  fail "lontar-usb.service has a user or a mount namespace of its own"
for f in usr/lib/lontar/usb-gate usr/lib/lontar/sync-settings usr/lib/lontar/clock-set; do
  [ -x "$root/$f" ] && pass "/$f present" || fail "/$f missing"
done
grep -q 'opts=nosuid,nodev,noexec' "$root/usr/lib/lontar/usb-gate" && pass "usb-gate mounts sticks nosuid,nodev,noexec" ||
  fail "usb-gate does not mount nosuid,nodev,noexec"
tmpfiles=$root/usr/lib/tmpfiles.d/lontar.conf
for line in 'd /run/lontar/usb 1770 root lontar -' 'd /run/lontar/stick 0755 root root -'; do
  grep -qxF "$line" "$tmpfiles" && pass "tmpfiles: $line" || fail "tmpfiles lacks: $line"
done
grep -qE '^f /run/lontar/usb/state 0640 root lontar - \{"state":"closed"' "$tmpfiles" &&
  pass "tmpfiles: the USB gate starts closed" || fail "tmpfiles does not write the closed state"
code_hash=$root/etc/lontar/technician.code
if [ -n "$code_file" ]; then
  [ "$(stat -c '%a %u %g' "$code_hash" 2>/dev/null)" = "644 0 0" ] && pass "technician.code present, 0644 root" ||
    fail "technician.code missing or not 0644 root: $(stat -c '%a %u %g' "$code_hash" 2>&1)"
  ! grep -qF "$(head -1 "$code_file")" "$code_hash" && pass "technician.code does not hold the code itself" ||
    fail "technician.code holds the code in clear"
  cp "$code_file" "$root/tmp/rootfs-test-code"
  printf 'not-the-code\n' >"$root/tmp/rootfs-test-wrong"
  chroot "$root" lontar technician verify --hash /etc/lontar/technician.code --code-file /tmp/rootfs-test-code >/dev/null 2>&1
  expect "technician verify, right code: exit" $? 0
  chroot "$root" lontar technician verify --hash /etc/lontar/technician.code --code-file /tmp/rootfs-test-wrong >/dev/null 2>&1
  expect "technician verify, wrong code: exit" $? 1
  rm -f "$root/tmp/rootfs-test-code" "$root/tmp/rootfs-test-wrong"
else
  [ ! -e "$code_hash" ] && pass "no technician.code (built without --technician-code-file)" ||
    fail "technician.code present though no code was given"
fi

# --- lockdown ----------------------------------------------------------------------------------
logind=(systemd/logind.conf systemd/logind.conf.d)
expect "logind NAutoVTs" "$(effective NAutoVTs "${logind[@]}")" 0
expect "logind ReserveVT" "$(effective ReserveVT "${logind[@]}")" 0
for k in HandlePowerKey HandleSuspendKey HandleHibernateKey HandleRebootKey HandleLidSwitch; do
  expect "logind $k" "$(effective "$k" "${logind[@]}")" ignore
done
expect "sysctl kernel.sysrq" "$(effective 'kernel\.sysrq' /nonexistent sysctl.d)" 0
expect "sysctl fs.suid_dumpable" "$(effective 'fs\.suid_dumpable' /nonexistent sysctl.d)" 0
expect "sysctl kernel.core_pattern" "$(effective 'kernel\.core_pattern' /nonexistent sysctl.d)" '|/bin/false'
expect "sysctl user.max_user_namespaces" "$(effective 'user\.max_user_namespaces' /nonexistent sysctl.d)" 0
polkit_rules=$root/etc/polkit-1/rules.d
grep -qF 'subject.user == "lontar" && action.id != "org.freedesktop.login1.chvt"' "$polkit_rules/50-lontar.rules" &&
  pass "polkit: the kiosk's user may ask for nothing but chvt" || fail "polkit rule for lontar missing"
expect "polkit rules.d mode and owner" "$(stat -c %a "$polkit_rules") $(chroot "$root" stat -c %U /etc/polkit-1/rules.d)" "700 polkitd"
expect "DefaultLimitCORE" "$(effective DefaultLimitCORE etc/systemd/system.conf systemd/system.conf.d)" 0
expect "CtrlAltDelBurstAction" "$(effective CtrlAltDelBurstAction etc/systemd/system.conf systemd/system.conf.d)" none
grep -qE '^\*\s+hard\s+core\s+0' "$root"/etc/security/limits.d/*.conf && pass "PAM: hard core 0" || fail "no hard core limit"
for m in usb_storage uas; do
  grep -qx "install $m /bin/false" "$root"/etc/modprobe.d/*.conf && pass "$m cannot be loaded outside technician mode" ||
    fail "$m is loadable"
done
rules=$root/etc/usbguard/rules.conf
# Outside technician mode only HID and hubs: the one rule, nothing more in rules.d (the gate's
# mass-storage rule is temporary, in the daemon's memory only).
expect "usbguard rules" "$(grep -v '^#' "$rules" | grep .)" 'allow with-interface match-all { 03:*:* 09:*:* }'
expect "usbguard rules.d" "$(ls -A "$root/etc/usbguard/rules.d" 2>/dev/null)" ""
[ "$(stat -c %a "$rules")" = 600 ] && pass "usbguard rules mode 600" || fail "usbguard rules.conf mode $(stat -c %a "$rules")"
chroot "$root" usbguard-rule-parser "$(grep -v '^#' "$rules" | grep .)" >/dev/null 2>&1 &&
  pass "usbguard rules parse" || fail "usbguard-rule-parser rejects rules.conf"
grep -Eq '^ImplicitPolicyTarget=block' "$root/etc/usbguard/usbguard-daemon.conf" && pass "usbguard blocks by default" ||
  fail "usbguard ImplicitPolicyTarget is not block"
grep -q 'policy drop' "$root/etc/nftables.conf" && grep -q 'meta skgid "lontar-net" accept' "$root/etc/nftables.conf" &&
  pass "firewall: drop by default, lontar-net out" || fail "nftables.conf is not the appliance firewall"
shadow_root=$(grep '^root:' "$root/etc/shadow" | cut -d: -f2)
case $shadow_root in '!'* | '*'*) pass "root password locked" ;; *) fail "root has a usable password" ;; esac
for u in $(cut -d: -f1,7 "$root/etc/passwd" | grep -Ev ':(/usr/sbin/nologin|/bin/false|/sbin/nologin|/bin/sync)$' | cut -d: -f1); do
  [ "$u" = root ] || fail "user $u has a login shell"
done
# Nothing secret or machine-specific made at build time.
[ ! -e "$root/etc/credstore.encrypted/lontar-vault-key" ] && pass "no vault key credential in the image" || fail "the image holds a vault key credential"
[ ! -e "$root/var/lib/systemd/credential.secret" ] && pass "no host credential key in the image" || fail "the image holds a host credential key"
[ ! -s "$root/etc/machine-id" ] && pass "no machine id in the image" || fail "the image has a machine id"
[ -z "$(ls -A "$root/var/lib/lontar" 2>/dev/null)" ] && pass "/var/lib/lontar empty" || fail "/var/lib/lontar is not empty"
# Boot: the kernel command line cannot be edited (GRUB has a password-less superuser), quiet.
cmdline=$(cat "$out/cmdline")
case " $cmdline " in *" init="* | *" rw "* | *"systemd.debug"* | *" single "*) fail "kernel command line: $cmdline" ;; *) pass "kernel command line: $cmdline" ;; esac
# The boot configuration, and the EFI boot loader on the disk's EFI partition embeds it (the BIOS
# core.img holds it compressed).
grep -qx 'set superusers="lontar-locked"' "$out/grub.cfg" && ! grep -q password "$out/grub.cfg" &&
  pass "GRUB locked (a superuser without password: no menu editing, no command line)" ||
  fail "grub.cfg does not lock GRUB"
esp_start=$(sfdisk -d "$out/lontar.img" | awk -F'[=,]' '/name="esp"/ {gsub(/ /, "", $2); print $2}')
efi_cfgs=$(mcopy -n -i "$out/lontar.img@@$((esp_start * 512))" ::/EFI/BOOT/BOOTX64.EFI - 2>/dev/null |
  grep -ac 'set superusers="lontar-locked"')
[ "$efi_cfgs" -ge 1 ] && pass "EFI/BOOT/BOOTX64.EFI embeds the locked grub.cfg" ||
  fail "EFI/BOOT/BOOTX64.EFI on the EFI partition lacks the locked grub.cfg"
# Kernel modules pruned, but for the sound drivers read-aloud plays through.
kmods=$(du -sm "$root"/lib/modules | cut -f1)
[ -z "$(find "$root"/lib/modules -path '*/kernel/sound/soc' -o -path '*/drivers/net/wireless' \
  -o -path '*/kernel/sound/isa' -o -path '*/drivers/media/usb' | head -1)" ] &&
  pass "kernel modules pruned (${kmods} MB)" || fail "other sound, camera or wireless modules still in the image"

# --- read-aloud: sound drivers, ALSA, espeak-ng ---------------------------------------------------
kver=$(basename "$(ls -d "$root"/lib/modules/* | head -1)")
for m in snd snd-hda-intel snd-hda-codec-generic snd-hda-codec-realtek snd-hda-codec-hdmi \
  snd-hda-codec-conexant snd-usb-audio; do
  # modprobe finds the module and every module it needs, in the image's own tree.
  deps=$(chroot "$root" modprobe -S "$kver" --show-depends "$m" 2>&1)
  [ $? -eq 0 ] && [ -n "$deps" ] && pass "module $m and what it needs ($(echo "$deps" | wc -l) files)" ||
    fail "module $m or a module it needs is missing: $deps"
done
grep -qx snd "$root"/etc/modules-load.d/lontar-sound.conf &&
  pass "the sound core loads at boot (DeviceAllow=char-alsa finds alsa in /proc/devices)" ||
  fail "/etc/modules-load.d/lontar-sound.conf does not load snd"
grep -q '^audio:' "$root/etc/group" && pass "group audio" || fail "group audio missing"
for p in libasound2 libasound2-data libespeak-ng1 espeak-ng-data; do
  st=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' "$p" 2>&1)
  expect "package $p" "$st" "install ok installed"
done
for f in usr/share/alsa/alsa.conf usr/share/alsa/cards/HDA-Intel.conf usr/share/alsa/cards/USB-Audio.conf \
  usr/share/alsa/pcm/dmix.conf; do
  [ -s "$root/$f" ] && pass "/$f present" || fail "/$f missing (libasound2-data)"
done
espeak=$(ls -d "$root"/usr/lib/*/espeak-ng-data 2>/dev/null | head -1)
for f in phondata phontab phonindex intonations id_dict en_dict lang/poz/id lang/gmw/en; do
  [ -s "$espeak/$f" ] && pass "espeak-ng-data/$f present" || fail "espeak-ng-data/$f missing under ${espeak:-/usr/lib/*/espeak-ng-data}"
done
# Graphics (image/README.md, "Graphics: kernel and firmware"): the GPU firmware amdgpu, radeon
# and i915 load, and the firmware framebuffer's way to the screen (Xorg's fbdev driver, its
# locked configuration, the framebuffer device allowed in the kiosk's unit, a VESA mode on BIOS).
for pattern in 'amdgpu/*' 'radeon/*' 'i915/*'; do
  n=$(find "$root/lib/firmware" -path "$root/lib/firmware/$pattern" 2>/dev/null | wc -l)
  [ "$n" -gt 10 ] && pass "/lib/firmware/$pattern: $n files" || fail "/lib/firmware/$pattern: $n files (firmware-amd-graphics, firmware-misc-nonfree)"
done
for f in usr/lib/xorg/Xorg usr/lib/xorg/modules/drivers/fbdev_drv.so usr/lib/xorg/modules/input/libinput_drv.so \
  usr/lib/lontar/kiosk-x11 etc/X11/lontar-fbdev.conf; do
  [ -e "$root/$f" ] && pass "/$f present" || fail "/$f missing"
done
for opt in DontVTSwitch DontZap; do
  grep -qE "^\s*Option \"$opt\" \"true\"" "$root/etc/X11/lontar-fbdev.conf" && pass "lontar-fbdev.conf: $opt" ||
    fail "lontar-fbdev.conf lacks Option \"$opt\" \"true\""
done
grep -qxF "DeviceAllow=char-fb rw" "$kiosk_unit" && pass "lontar-kiosk.service: DeviceAllow=char-fb rw" ||
  fail "lontar-kiosk.service lacks DeviceAllow=char-fb rw"
grep -q 'exec /usr/lib/lontar/kiosk-x11' "$session" && pass "kiosk-session falls back to kiosk-x11" ||
  fail "kiosk-session has no firmware framebuffer fallback"
grep -qx 'set gfxpayload=auto' "$out/grub-bios.cfg" && ! grep -q gfxpayload "$out/grub.cfg" &&
  pass "GRUB sets a VESA mode on BIOS PCs (grub-bios.cfg), UEFI keeps the GOP's" ||
  fail "grub-bios.cfg does not set gfxpayload=auto, or grub.cfg (UEFI) sets it"

echo "rootfs_test: image $(du -h --apparent-size "$out/lontar.img" | cut -f1) ($(du -h "$out/lontar.img" | cut -f1) allocated), rootfs $(du -sh "$root" | cut -f1)"

if [ "$failures" -ne 0 ]; then
  echo "rootfs_test: $failures check(s) failed" >&2
  exit 1
fi
echo "rootfs_test: all checks passed"
