#!/usr/bin/env bash
# Regenerates every raster icon from the SVGs drawn once in icons/:
#   icons/app-icon.svg      -> the desktop bundle icons (PNG sizes, .icns, .ico, Windows Store logos)
#   icons/tray/tray-*.svg   -> the tray icons, 32px and 64px (@2x)
# Idempotent: the same SVGs give the same files. Needs the UI's npm packages (for the Tauri CLI)
# and rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"  # this script lives in icons/
icons="$root/icons"
tauri="$root/ui/node_modules/.bin/tauri"

if [ ! -x "$tauri" ]; then
  echo "icons: the Tauri CLI is missing; run 'npm ci' in ui/ (or 'make setup') first" >&2
  exit 1
fi
if ! command -v rsvg-convert >/dev/null; then
  echo "icons: rsvg-convert is missing; install librsvg2-bin (Debian/Ubuntu) or librsvg (Homebrew)" >&2
  exit 1
fi

# The CLI lists every file it writes on stderr; show that only when it fails.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$tauri" icon "$icons/app-icon.svg" --output "$icons" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
# Syncer ships for desktop only; the mobile sets would be dead weight in the repository.
rm -rf "$icons/android" "$icons/ios"

for state in idle syncing error; do
  svg="$icons/tray/tray-$state.svg"
  rsvg-convert --width 32 --height 32 "$svg" --output "$icons/tray/tray-$state.png"
  rsvg-convert --width 64 --height 64 "$svg" --output "$icons/tray/tray-$state@2x.png"
done

echo "icons: regenerated from icons/app-icon.svg and icons/tray/*.svg"
