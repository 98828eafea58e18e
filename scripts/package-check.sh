#!/usr/bin/env bash
# Installs Syncer's packages as a user would, checks what they hold and that it works, and
# removes them again: the desktop package (window, `syncer` command, completions, man pages,
# desktop entry with syncer:// links) and syncer-cloud's (binary, system user, unit, config).
#
#   scripts/package-check.sh            build debug packages (what CI uses: fast), then check
#   scripts/package-check.sh --release  build release packages, then check
#   scripts/package-check.sh --no-build check the packages already built for the profile
#   ... --e2e                           also drive the installed window through tests/e2e_smoke.rs
#
# Needs root (or sudo) and a Debian/Ubuntu machine with `make setup` done. Refuses to touch a
# Syncer that was installed before it ran (set PACKAGE_CHECK_REPLACE=1 to allow it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

profile=debug
build=1
e2e=0
for arg in "$@"; do
	case "$arg" in
	--release) profile=release ;;
	--no-build) build=0 ;;
	--e2e) e2e=1 ;;
	*) echo "usage: $0 [--release] [--no-build] [--e2e]" >&2; exit 2 ;;
	esac
done
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
arch="$(dpkg --print-architecture)"
debs="$target_dir/$profile/bundle/deb"
app_deb="$debs/Syncer_${version}_${arch}.deb"
cloud_deb="$debs/syncer-cloud_${version}_${arch}.deb"

step() { printf '\npackage-check: %s\n' "$*"; }
fail() { printf 'package-check: FAILED: %s\n' "$*" >&2; exit 1; }
started=$(date +%s)

for pkg in syncer syncer-cloud; do
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
		&& [ "${PACKAGE_CHECK_REPLACE:-0}" != 1 ]; then
		fail "$pkg is already installed here; remove it, or set PACKAGE_CHECK_REPLACE=1"
	fi
done

if [ "$build" = 1 ]; then
	step "building the $profile packages"
	t=$(date +%s)
	flag=()
	[ "$profile" = debug ] && flag=(--debug)
	ui/node_modules/.bin/tauri build "${flag[@]}" --bundles deb
	scripts/package-cloud.sh "${flag[@]}" >/dev/null
	echo "package-check: packages built in $(( $(date +%s) - t )) s"
fi
[ -f "$app_deb" ] || fail "no $app_deb (build it, or drop --no-build)"
[ -f "$cloud_deb" ] || fail "no $cloud_deb (build it, or drop --no-build)"

work="$(mktemp -d)"
app_pid=""
cloud_pid=""
cleanup() {
	# Only the processes this script started, by id.
	[ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
	[ -z "$cloud_pid" ] || kill "$cloud_pid" 2>/dev/null || true
	if [ "${installed:-0}" = 1 ]; then
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq syncer syncer-cloud >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

step "installing $(basename "$app_deb") and $(basename "$cloud_deb")"
installed=1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
	"$app_deb" "$cloud_deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install"; }
dpkg -L syncer >"$work/syncer.files"
dpkg -L syncer-cloud >"$work/cloud.files"

step "the syncer command"
out="$(syncer --version)"
[ "$out" = "syncer $version" ] || fail "syncer --version said: $out"
echo "$out"
export SYNCER_DATA_DIR="$work/data"
syncer demo >"$work/demo.txt" 2>&1 || { cat "$work/demo.txt"; fail "syncer demo"; }
tail -n 5 "$work/demo.txt"
syncer --json history >"$work/history.json" || fail "syncer history after the demo"
grep -q '"' "$work/history.json" || fail "syncer --json history printed no JSON"

step "completions and man pages"
for f in /usr/share/bash-completion/completions/syncer /usr/share/zsh/vendor-completions/_syncer \
	/usr/share/fish/vendor_completions.d/syncer.fish /usr/share/man/man1/syncer.1.gz \
	/usr/share/man/man1/syncer-demo.1.gz; do
	[ -s "$f" ] || fail "missing $f"
	echo "ok $f"
done
bash -c 'source /usr/share/bash-completion/completions/syncer && complete -p syncer' >/dev/null \
	|| fail "the bash completion does not register for syncer"
zcat /usr/share/man/man1/syncer.1.gz | grep -q '^\.TH syncer 1' || fail "syncer.1 is not a man page"
if command -v man >/dev/null; then
	MANPAGER=cat man syncer 2>/dev/null | grep -q demo || fail "man syncer does not show the page"
fi
echo "$(grep -c '^/usr/share/man/man1/' "$work/syncer.files") man pages"

step "the desktop entry"
desktop=/usr/share/applications/Syncer.desktop
[ -f "$desktop" ] || fail "no $desktop"
grep -E '^Exec=syncer-desktop %u$' "$desktop" || fail "Exec does not pass the link (%u): $(grep ^Exec= "$desktop")"
grep -q '^MimeType=.*x-scheme-handler/syncer' "$desktop" || fail "no x-scheme-handler/syncer"
desktop-file-validate "$desktop" || fail "desktop-file-validate"
grep -q 'x-scheme-handler/syncer=.*Syncer.desktop' /usr/share/applications/mimeinfo.cache \
	|| fail "mimeinfo.cache does not list Syncer.desktop for syncer:// (update-desktop-database)"

step "a syncer:// link opened with gio reaches the installed app (cold start, fresh profile)"
# A fresh HOME: the app has never run, so only the packaged entry can route the link. The
# marker finds the app among this machine's processes without matching anyone else's.
marker="package-check-$$-$RANDOM"
mkdir -p "$work/home" "$work/gui-data"
cat >"$work/open-link.sh" <<SCRIPT
#!/bin/sh
export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_CONFIG_HOME="$work/home/.config"
export SYNCER_DATA_DIR="$work/gui-data" SYNCER_VAULT=file SYNCER_VAULT_PASSPHRASE=package-check
export SYNCER_PACKAGE_CHECK="$marker" RUST_LOG=syncer=info
[ "\$(xdg-mime query default x-scheme-handler/syncer)" = Syncer.desktop ] || { echo "xdg-mime: \$(xdg-mime query default x-scheme-handler/syncer)"; exit 1; }
gio open 'syncer://oauth/spotify?code=package-check&state=package-check'
for i in \$(seq 1 120); do
	grep -rqs 'sign-in failed' "$work/gui-data" && exit 0
	sleep 0.5
done
exit 1
SCRIPT
chmod +x "$work/open-link.sh"
link_ok=0
xvfb-run --auto-servernum dbus-run-session -- "$work/open-link.sh" >"$work/gui.log" 2>&1 && link_ok=1
for p in /proc/[0-9]*; do
	if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "SYNCER_PACKAGE_CHECK=$marker"; then
		kill "${p#/proc/}" 2>/dev/null || true
	fi
done
if [ "$link_ok" != 1 ]; then
	cat "$work/gui.log"
	find "$work/gui-data" -name '*.log' -exec tail -n 20 {} + 2>/dev/null || true
	fail "the link did not reach the app"
fi
grep -rh 'sign-in failed' "$work/gui-data" | tail -n 1
echo "the app started from the link and answered it (an unknown sign-in, as expected)"

if [ "$e2e" = 1 ]; then
	step "the installed window through the e2e smoke test"
	SYNCER_E2E_APP=/usr/bin/syncer-desktop "${CARGO:-cargo}" test --quiet --test e2e_smoke -- --nocapture
fi

step "syncer-cloud"
getent passwd syncer-cloud >/dev/null || fail "no syncer-cloud user"
[ "$(stat -c '%U:%G %a' /etc/syncer-cloud/syncer-cloud.env)" = "root:syncer-cloud 640" ] \
	|| fail "the config file's owner or mode: $(stat -c '%U:%G %a' /etc/syncer-cloud/syncer-cloud.env)"
unit=/usr/lib/systemd/system/syncer-cloud.service
grep -q '^User=syncer-cloud$' "$unit" && grep -q '^StateDirectory=syncer-cloud$' "$unit" \
	|| fail "the unit does not run as syncer-cloud with its StateDirectory"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$unit" 2>&1 | grep -v 'Cannot add dependency job\|network-online' \
		| grep . && fail "systemd-analyze verify $unit" || true
fi
help="$(syncer-cloud --help)"
for key in $(sed -n 's/^#\{0,1\}\(SYNCER_CLOUD_[A-Z_]*\)=.*/\1/p' /etc/syncer-cloud/syncer-cloud.env); do
	grep -q "env: $key=" <<<"$help" || fail "the config file sets $key, which syncer-cloud does not read"
done
# What the unit does, by hand (no systemd in CI containers): the config file's settings, as
# the service user, with its own state directory.
state="$work/cloud-state"
chmod 0711 "$work" # the service user reaches its state directory, and nothing else here
install -d -o syncer-cloud -g syncer-cloud -m 0750 "$state"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(
	set -a
	# shellcheck disable=SC1091
	. /etc/syncer-cloud/syncer-cloud.env
	set +a
	export SYNCER_CLOUD_DATA_DIR="$state" SYNCER_CLOUD_LISTEN="127.0.0.1:$port"
	exec runuser -u syncer-cloud -- /usr/bin/syncer-cloud
) >"$work/cloud.log" 2>&1 &
cloud_pid=$!
ready=0
for _ in $(seq 1 60); do
	if curl -fsS "http://127.0.0.1:$port/readyz" >"$work/readyz" 2>/dev/null; then ready=1; break; fi
	sleep 0.5
done
[ "$ready" = 1 ] || { cat "$work/cloud.log"; fail "syncer-cloud did not answer /readyz"; }
echo "readyz: $(cat "$work/readyz")"
[ -f "$state/cloud.db" ] && [ "$(stat -c %U "$state/cloud.db")" = syncer-cloud ] \
	|| fail "the database is not in the state directory, owned by syncer-cloud"
kill "$cloud_pid"
wait "$cloud_pid" 2>/dev/null || true
cloud_pid=""

step "removing the packages"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq syncer syncer-cloud >"$work/apt.log" 2>&1 \
	|| { cat "$work/apt.log"; fail "apt-get purge"; }
installed=0
for pkg in syncer syncer-cloud; do
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed; then fail "$pkg is still installed"; fi
done
left=""
while read -r f; do
	[ -d "$f" ] && continue
	[ -e "$f" ] && left="$left $f"
done < <(cat "$work/syncer.files" "$work/cloud.files")
[ -z "$left" ] || fail "files left behind:$left"
hash -r # bash remembers where it found syncer before
if command -v syncer >/dev/null; then fail "syncer is still on the PATH"; fi
if grep -qs 'Syncer.desktop' /usr/share/applications/mimeinfo.cache; then
	fail "mimeinfo.cache still lists Syncer"
fi

echo
echo "package-check: all checks passed in $(( $(date +%s) - started )) s"
