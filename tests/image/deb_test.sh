#!/usr/bin/env bash
# Builds the .deb with cpack from the build tree and checks it with dpkg-deb: the files the
# appliance needs are where the units and the kiosk look for them, Depends names the shared
# libraries (dpkg-shlibdeps) and the programs the units run, binaries are stripped, man pages
# are real, and the installed kiosk finds its translations without --assets.
#
#   tests/image/deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(readlink -f "$1") src=$(readlink -f "$2")
fail() { echo "deb_test: FAIL: $*" >&2; exit 1; }

cd "$build"
rm -rf package
cpack -G DEB >cpack.log 2>&1 || { cat cpack.log; fail "cpack failed"; }
debs=(package/lontar_*_amd64.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one package/lontar_*_amd64.deb, found: ${debs[*]}"
deb=${debs[0]}
echo "deb_test: $deb ($(du -h "$deb" | cut -f1))"

listing=$(dpkg-deb -c "$deb" | awk '{print $1, $NF}')
want() { # MODE-PREFIX PATH
  grep -qE "^$1[^ ]* \./$2\$" <<<"$listing" || fail "$2 missing from the package (or wrong mode, want $1)"
}
want -rwxr-xr-x usr/bin/lontar
want -rwxr-xr-x usr/bin/lontar-kiosk
want -rwxr-xr-x usr/sbin/lontar-admin
want -rwxr-xr-x usr/lib/lontar/make-vault-key
want -rwxr-xr-x usr/lib/lontar/kiosk-session
want -rwxr-xr-x usr/lib/lontar/kiosk-x11
want -rwxr-xr-x usr/lib/lontar/usb-gate
want -rwxr-xr-x usr/lib/lontar/clock-set
want -rwxr-xr-x usr/lib/lontar/sync-settings
want -rwxr-xr-x usr/lib/lontar/kiosk-seccomp
want -rw-r--r-- usr/share/lontar/assets/i18n/id.json
want -rw-r--r-- usr/share/lontar/assets/i18n/en.json
for unit in lontar-kiosk lontar-sync lontar-vault-key lontar-usb lontar-sync-settings lontar-clock; do want -rw-r--r-- "usr/lib/systemd/system/$unit.service"; done
for unit in lontar-usb lontar-sync-settings lontar-clock; do want -rw-r--r-- "usr/lib/systemd/system/$unit.path"; done
want -rw-r--r-- usr/lib/sysusers.d/lontar.conf
want -rw-r--r-- usr/lib/tmpfiles.d/lontar.conf
want -rw-r--r-- usr/share/man/man1/lontar.1.gz
want -rw-r--r-- usr/share/man/man1/lontar-kiosk.1.gz
want -rw-r--r-- usr/share/doc/lontar/technician.md
want -rw-r--r-- usr/share/doc/lontar/README.md

depends=$(dpkg-deb -f "$deb" Depends)
echo "deb_test: Depends: $depends"
for p in libsodium23 libsqlcipher0 libcurl4 libyaml-cpp0.7 libsdl2-2.0-0 libc6 libstdc++6 cage systemd libpam-systemd fonts-noto-core; do
  tr ',' '\n' <<<"$depends" | sed -E 's/^ +//; s/ .*//' | grep -qxF "$p" || fail "Depends lacks $p"
done
[ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "Architecture is not amd64"
dpkg-deb -I "$deb" postinst | grep -q systemd-sysusers || fail "postinst does not create the lontar user"

x=$(mktemp -d)
trap 'rm -rf "$x"' EXIT
dpkg-deb -x "$deb" "$x/root"
for b in bin/lontar bin/lontar-kiosk lib/lontar/kiosk-seccomp; do
  ! readelf -S "$x/root/usr/$b" | grep -q '\.debug_info' || fail "$b is not stripped"
done
"$x/root/usr/bin/lontar" --help | grep -q terminal || fail "the packaged lontar does not run"
zcat "$x/root/usr/share/man/man1/lontar.1.gz" | grep -q '^\.TH LONTAR' || fail "lontar.1 is not a man page"
zcat "$x/root/usr/share/man/man1/lontar-kiosk.1.gz" | grep -qF '\-\-home' || fail "lontar-kiosk.1 lacks the options"
# The units point at what the package installs.
for f in "$x"/root/usr/lib/systemd/system/*.service; do
  for exe in $(grep -E '^Exec[A-Za-z]*=' "$f" | sed -E 's/^[^=]*=[-@!+:]*//; s/ .*//'); do
    [ -x "$x/root$exe" ] || [ -x "$exe" ] || fail "$(basename "$f") runs $exe, which is neither packaged nor on this system"
  done
done

# The installed kiosk finds /usr/share/lontar/assets from /usr/bin (here, under the extracted
# root): the catalog error it would print otherwise is "(pass --assets DIR)".
set +e
out=$(SDL_VIDEODRIVER=offscreen timeout 60 "$x/root/usr/bin/lontar-kiosk" --home "$x/nohome" \
  --screenshot "$x/shot.png" 2>&1)
set -e
! grep -q -- "--assets" <<<"$out" || fail "the installed kiosk cannot find its translations: $out"
[ -s "$x/shot.png" ] || fail "the installed kiosk did not render (offscreen): $out"
echo "deb_test: ok"
