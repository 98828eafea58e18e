#!/usr/bin/env bash
# What Syncer costs in memory, as proportional set size (PSS: shared pages divided among the
# processes sharing them), summed over the app and every process it started (WebKit's web and
# network processes), from /proc/PID/smaps_rollup. Three figures:
#
#   open     the window open on the Playlists page, with the demo library set up
#   closed   the window closed (Syncer in the tray, no webview)
#   synced   after a scheduled sync ran with no window
#   minimised  a fresh start minimised to the tray (as at login), no window ever built
#
# A benchmark, not a test: it prints figures and asserts nothing. It runs the app in its own
# virtual display (Xvfb) and D-Bus session, with a throwaway HOME and data folder, the demo
# library (set up with `syncer demo`) and a base scheduled every minute.
#
#   scripts/bench-tray.sh            the debug build (what `cargo build` makes)
#   scripts/bench-tray.sh --release  the release build (the packages' profile)
#   scripts/bench-tray.sh --no-build use the binaries already built for the profile
#
# Needs Xvfb, dbus-run-session, xdotool and python3 (the window is closed as a window
# manager's close button does: a WM_DELETE_WINDOW message, sent through libX11 by
# scripts/close-window.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

profile=debug
build=1
for arg in "$@"; do
	case "$arg" in
	--release) profile=release ;;
	--no-build) build=0 ;;
	*) echo "usage: $0 [--release] [--no-build]" >&2; exit 2 ;;
	esac
done
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
if [ "$build" = 1 ]; then
	flag=()
	[ "$profile" = release ] && flag=(--release)
	[ -d ui/dist ] || (cd ui && npm run --silent build -- --logLevel warn)
	cargo build --quiet "${flag[@]}" -p syncer-desktop -p syncer-cli
fi
app="$target_dir/$profile/syncer-desktop"
cli="$target_dir/$profile/syncer"
[ -x "$app" ] && [ -x "$cli" ] || { echo "bench-tray: build $app and $cli first" >&2; exit 1; }

work="$(mktemp -d)"
xvfb_pid=""
session_pid=""
cleanup() {
	# Only what this script started, by id: the session's process group, then the display.
	[ -z "$session_pid" ] || kill -TERM -- "-$session_pid" 2>/dev/null || true
	[ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_CONFIG_HOME="$work/home/.config"
export SYNCER_DATA_DIR="$work/data" SYNCER_VAULT=file SYNCER_VAULT_PASSPHRASE="bench passphrase"
mkdir -p "$HOME"

"$cli" demo >/dev/null
base="$("$cli" base list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
"$cli" schedule "$base" "every 1m" >/dev/null
events() { "$cli" history --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
before="$(events)"

display=":$(( 90 + RANDOM % 100 ))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
export DISPLAY="$display"
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done

# The app in its own session bus and process group, so its WebKit processes are found as its
# descendants and stopped with it.
start_app() {
	setsid dbus-run-session -- sh -c "exec '$app'" >"$work/app.log" 2>&1 &
	session_pid=$!
	app_pid=""
	for _ in $(seq 300); do
		app_pid="$(pgrep -s "$session_pid" -x syncer-desktop || true)"
		[ -n "$app_pid" ] && break
		sleep 0.1
	done
	[ -n "$app_pid" ] || { cat "$work/app.log"; echo "bench-tray: the app did not start" >&2; exit 1; }
}
stop_app() {
	kill -TERM -- "-$session_pid" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
	session_pid=""
}
start_app

descendants() {
	local pid=$1
	echo "$pid"
	for child in $(pgrep -P "$pid" || true); do descendants "$child"; done
}

# Sums Pss over the app and its descendants; prints "total (name=kB ...)" in MB.
pss() {
	local total=0 parts=""
	for pid in $(descendants "$app_pid"); do
		local kb name
		kb="$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)"
		name="$(cat "/proc/$pid/comm" 2>/dev/null || echo gone)"
		total=$(( total + kb ))
		parts="$parts $name=$(( kb / 1024 ))"
	done
	printf '%d MB (%s )' $(( total / 1024 )) "$parts"
}

window_ids() { xdotool search --name '^Syncer$' 2>/dev/null || true; }
for _ in $(seq 600); do [ -n "$(window_ids)" ] && break; sleep 0.1; done
[ -n "$(window_ids)" ] || { cat "$work/app.log"; echo "bench-tray: no window" >&2; exit 1; }
# Let the page load and settle (WebKit's processes reach their working size).
sleep 8
open_figure="$(pss)"

for id in $(window_ids); do python3 scripts/close-window.py "$id"; done
for _ in $(seq 100); do [ -z "$(window_ids)" ] && break; sleep 0.1; done
[ -z "$(window_ids)" ] || echo "bench-tray: the window did not close" >&2
kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log"; echo "bench-tray: closing the window ended the app" >&2; exit 1; }
sleep 10
closed_figure="$(pss)"

# The schedule runs the base within a minute or so of the last sync; wait for its event.
for _ in $(seq 180); do [ "$(events)" -gt "$before" ] && break; sleep 1; done
ran=$(( $(events) - before ))
sleep 5
synced_figure="$(pss)"

# Started minimised to the tray (Settings → Start-up), as at login: no window is ever built.
# The setting is written with sqlite3 where it is installed (the CLI has no command for it).
minimised_figure="(skipped: sqlite3 not installed)"
if command -v sqlite3 >/dev/null; then
	stop_app
	sqlite3 "$SYNCER_DATA_DIR/syncer.db" \
		"INSERT OR REPLACE INTO settings (key, value) VALUES ('start_minimised', 'true')"
	start_app
	sleep 15
	minimised_figure="$(pss)"
fi

echo "bench-tray ($profile build): PSS of syncer-desktop and its WebKit processes"
echo "  window open:                      $open_figure"
echo "  window closed (tray only):        $closed_figure"
echo "  after a windowless scheduled sync: $synced_figure  [$ran sync(s) ran]"
echo "  started minimised (never a window): $minimised_figure"
