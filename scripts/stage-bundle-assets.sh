#!/usr/bin/env bash
# Stages what the desktop packages carry besides the window, into target/dist/ (relative to the
# repository, whatever CARGO_TARGET_DIR is): the `syncer` command, its shell completions and its
# man pages (generated from its clap definition by crates/xtask). tauri.conf.json's
# bundle.linux.{deb,rpm}.files map target/dist/ into /usr/bin and /usr/share.
#
# `tauri build` runs this as its beforeBundleCommand, after building the app and before
# packaging it; TAURI_ENV_DEBUG=true (from `tauri build --debug`) stages debug builds.
# Offline once the crates are fetched (cargo --offline works when they are).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
if [ "${TAURI_ENV_DEBUG:-false}" = true ]; then
	profile=debug
	profile_flag=()
else
	profile=release
	profile_flag=(--release)
fi
dist="$root/target/dist"

echo "stage: building the syncer command and xtask ($profile)"
"${CARGO:-cargo}" build --quiet --locked "${profile_flag[@]}" -p syncer-cli --bin syncer -p xtask --bin xtask

rm -rf "$dist"
mkdir -p "$dist/bin"
install -m 0755 "$target_dir/$profile/syncer" "$dist/bin/syncer"
"$target_dir/$profile/xtask" cli-assets "$dist"
echo "stage: $(find "$dist" -type f | wc -l) files in target/dist"
