#!/usr/bin/env bash
# Checks what `make package` built, as someone installing it would meet it:
#
#   scripts/check-package.sh [DEB [APPIMAGE]]
#
# The .deb: its control fields (name, architecture, the WebKitGTK and GTK it depends on), that it
# installs the app and the CLI in /usr/bin, a valid desktop entry whose Exec and Icon resolve to
# files in the package, and the icons; that both binaries find their libraries and the CLI runs.
# The AppImage: an AppImage (type 2) holding the same app binary and desktop entry as the .deb,
# with its icon and AppRun, that starts the app and shows its window on a virtual display.
#
# Defaults: the one .deb and the one .AppImage under target/release/bundle/. Needs dpkg-deb,
# objdump, desktop-file-validate, Xvfb, dbus-run-session and xwininfo (`make package` installs
# them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUNDLE=$ROOT/target/release/bundle
DEB=${1:-$(ls "$BUNDLE"/deb/*.deb)}
APPIMAGE=${2:-$(ls "$BUNDLE"/appimage/*.AppImage)}
DEB=$(realpath "$DEB")
APPIMAGE=$(realpath "$APPIMAGE")

passes=0
failures=0
pass() { echo "ok    $*"; passes=$((passes + 1)); }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
# The value of KEY= in a desktop entry.
desktop_value() { sed -n "s/^$2=//p" "$1" | head -n 1; }

for tool in dpkg-deb objdump desktop-file-validate Xvfb dbus-run-session xwininfo; do
  command -v "$tool" >/dev/null || { echo "check-package: $tool not found (make package installs it)" >&2; exit 2; }
done

TMP=$(mktemp -d)
XVFB_PID=
APP_PID=
cleanup() {
  if [[ -n $APP_PID ]]; then
    kill -TERM -- "-$APP_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$APP_PID" 2>/dev/null || true
  fi
  if [[ -n $XVFB_PID ]]; then
    kill -TERM "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "== $DEB"
field() { dpkg-deb --field "$DEB" "$1"; }
check "package name is countersign" test "$(field Package)" = countersign
check "architecture is amd64" test "$(field Architecture)" = amd64
depends=$(field Depends)
echo "      Depends: $depends"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libc6; do
  check "Depends names $dep once" test "$(tr ',' '\n' <<<"$depends" | awk '{print $1}' | grep -cx -- "$dep")" -eq 1
done
check "has a Description" test -n "$(field Description)"

dpkg-deb -x "$DEB" "$TMP/deb"
usr=$TMP/deb/usr
# The libc6 version the .deb asks for covers the newest glibc symbol its binaries use.
libc_min=$(tr ',' '\n' <<<"$depends" | sed -n 's/^ *libc6 *(>= *\([0-9.]*\)).*/\1/p')
glibc_used=$(objdump -T "$usr/bin/countersign-app" "$usr/bin/countersign" | grep -oE 'GLIBC_[0-9.]+' \
  | sed 's/GLIBC_//' | sort -uV | tail -n 1)
check "libc6 (>= ${libc_min:-?}) covers GLIBC_$glibc_used used by the binaries" \
  bash -c '[[ -n $1 && $(printf "%s\n" "$1" "$2" | sort -V | tail -n 1) == "$1" ]]' _ "$libc_min" "$glibc_used"
for bin in countersign-app countersign; do
  check "installs /usr/bin/$bin, executable" test -x "$usr/bin/$bin"
  check "/usr/bin/$bin finds all its libraries" \
    bash -c '! ldd "$1" | grep -q "not found"' _ "$usr/bin/$bin"
done
check "the CLI runs (countersign --version)" "$usr/bin/countersign" --version

desktops=("$usr"/share/applications/*.desktop)
check "one desktop entry in /usr/share/applications" test "${#desktops[@]}" -eq 1 -a -f "${desktops[0]}"
desktop=${desktops[0]}
check "desktop-file-validate accepts it" desktop-file-validate "$desktop"
check "Type=Application" test "$(desktop_value "$desktop" Type)" = Application
check "Name=Countersign" test "$(desktop_value "$desktop" Name)" = Countersign
check "Categories=Office;Finance;" test "$(desktop_value "$desktop" Categories)" = "Office;Finance;"
check "has a Comment" test -n "$(desktop_value "$desktop" Comment)"
exec_name=$(desktop_value "$desktop" Exec | cut -d' ' -f1)
icon=$(desktop_value "$desktop" Icon)
check "Exec ($exec_name) is the app in /usr/bin" test "$exec_name" = countersign-app -a -x "$usr/bin/$exec_name"
for size in 32x32 128x128 512x512; do
  png=$usr/share/icons/hicolor/$size/apps/$icon.png
  check "icon $size/apps/$icon.png is a PNG" bash -c 'head -c 8 "$1" | cmp -s - <(printf "\x89PNG\r\n\x1a\n")' _ "$png"
done

echo "== $APPIMAGE"
check "is executable" test -x "$APPIMAGE"
# ELF, with the AppImage type 2 magic "AI\x02" at offset 8.
check "is an ELF AppImage of type 2" bash -c \
  'cmp -s <(head -c 4 "$1") <(printf "\x7fELF") && cmp -s <(head -c 11 "$1" | tail -c 3) <(printf "AI\x02")' _ "$APPIMAGE"
check "unpacks with --appimage-extract" bash -c 'cd "$1" && "$2" --appimage-extract' _ "$TMP" "$APPIMAGE"
image=$TMP/squashfs-root
check "AppRun starts usr/bin/countersign-app" test "$(readlink "$image/AppRun")" = usr/bin/countersign-app
check "the app binary is the .deb's" cmp "$image/usr/bin/countersign-app" "$usr/bin/countersign-app"
check "its desktop entry is the .deb's" cmp "$image/$icon.desktop" "$desktop"
check "its icon $icon.png and .DirIcon" test -s "$image/$icon.png" -a -s "$image/.DirIcon"

# Start the AppImage on a display of its own with an empty workspace and fresh home folders:
# mounted with FUSE as a user would run it when libfuse2 and /dev/fuse are there, else extracting
# itself (APPIMAGE_EXTRACT_AND_RUN). Under setsid the app and WebKit's helpers are one process
# group, ended together.
launch=(env)
# (grep without -q: under pipefail its early exit could fail ldconfig with SIGPIPE.)
if [[ -c /dev/fuse ]] && ldconfig -p | grep 'libfuse\.so\.2 ' >/dev/null; then
  echo "(starting the AppImage with FUSE)"
else
  echo "(no libfuse2 or /dev/fuse: starting the AppImage with APPIMAGE_EXTRACT_AND_RUN=1)"
  launch+=(APPIMAGE_EXTRACT_AND_RUN=1)
fi
mkdir -p "$TMP/home/data" "$TMP/home/config" "$TMP/home/cache" "$TMP/workspace" "$TMP/run"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$TMP/display" >"$TMP/xvfb.log" 2>&1 </dev/null &
XVFB_PID=$!
for _ in $(seq 100); do [[ -s $TMP/display ]] && break; sleep 0.1; done
display=":$(tr -d '[:space:]' <"$TMP/display")"
launch+=(DISPLAY="$display" NO_AT_BRIDGE=1 GDK_BACKEND=x11 TMPDIR="$TMP/run"
  XDG_DATA_HOME="$TMP/home/data" XDG_CONFIG_HOME="$TMP/home/config" XDG_CACHE_HOME="$TMP/home/cache"
  COUNTERSIGN_DATA_DIR="$TMP/workspace" "$APPIMAGE")
# Not a process group leader (no job control here), so setsid does not fork: $! is the group's id.
env -u WAYLAND_DISPLAY setsid dbus-run-session -- "${launch[@]}" >"$TMP/app.log" 2>&1 </dev/null &
APP_PID=$!
window=
for _ in $(seq 300); do
  window=$(DISPLAY=$display xwininfo -root -tree 2>/dev/null | grep -m1 '"Countersign"' || true)
  [[ -n $window ]] && break
  kill -0 "$APP_PID" 2>/dev/null || break
  sleep 0.1
done
check "the AppImage opens a window titled Countersign" test -n "$window"
sleep 3
check "the app is still running 3 s later" kill -0 "$APP_PID"
kill -TERM -- "-$APP_PID" 2>/dev/null || true
for _ in $(seq 100); do kill -0 -- "-$APP_PID" 2>/dev/null || break; sleep 0.1; done
check "the app and its helpers end on SIGTERM" bash -c '! kill -0 -- "-$1"' _ "$APP_PID"
if ((failures > 0)); then
  echo "-- app output:"
  tail -n 20 "$TMP/app.log"
fi

echo "check-package: $passes passed, $failures failed"
((failures == 0))
