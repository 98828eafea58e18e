#!/usr/bin/env bash
# Builds syncer-cloud's Debian package, for self-hosters: the server binary, a systemd unit that
# runs it as its own system user with its database in /var/lib/syncer-cloud (StateDirectory),
# and /etc/syncer-cloud/syncer-cloud.env with the documented defaults (a conffile: upgrades
# keep your edits). The files it packages live in packaging/cloud/.
#
#   scripts/package-cloud.sh            release build
#   scripts/package-cloud.sh --debug    debug build (faster to build, for checks)
#
# Prints the package's path. Needs cargo and dpkg-deb; works offline once crates are fetched.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
profile=release
profile_flag=(--release)
if [ "${1:-}" = --debug ]; then
	profile=debug
	profile_flag=()
fi

"${CARGO:-cargo}" build --quiet --locked "${profile_flag[@]}" -p syncer-cloud --bin syncer-cloud >&2

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
arch="$(dpkg --print-architecture)"
name="syncer-cloud_${version}_${arch}"
out_dir="$target_dir/$profile/bundle/deb"
stage="$out_dir/$name"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$out_dir"

install -D -m 0755 "$target_dir/$profile/syncer-cloud" "$stage/usr/bin/syncer-cloud"
if [ "$profile" = release ]; then strip --strip-unneeded "$stage/usr/bin/syncer-cloud"; fi
install -D -m 0644 packaging/cloud/syncer-cloud.service \
	"$stage/usr/lib/systemd/system/syncer-cloud.service"
install -D -m 0640 packaging/cloud/syncer-cloud.env "$stage/etc/syncer-cloud/syncer-cloud.env"
install -D -m 0644 docs/cloud.md "$stage/usr/share/doc/syncer-cloud/cloud.md"
gzip -9n "$stage/usr/share/doc/syncer-cloud/cloud.md"
for script in postinst prerm postrm; do
	install -m 0755 "packaging/cloud/$script" "$stage/DEBIAN/$script"
done
echo /etc/syncer-cloud/syncer-cloud.env >"$stage/DEBIAN/conffiles"

installed_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: syncer-cloud
Version: $version
Architecture: $arch
Maintainer: Syncer developers <syncer@example.invalid>
Installed-Size: $installed_kb
Depends: libc6 (>= 2.34), libgcc-s1, adduser
Section: net
Priority: optional
Homepage: https://example.invalid/syncer
Description: Syncer cloud: end-to-end-encrypted sync between a user's devices
 The server behind Syncer's optional account: accounts, devices and the sealed records that
 carry a user's setup between their devices. It stores ciphertext only and never a key.
 .
 Runs as the syncer-cloud system service on 127.0.0.1:8787 with SQLite in
 /var/lib/syncer-cloud; settings in /etc/syncer-cloud/syncer-cloud.env.
CONTROL

( cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
	| xargs -0 md5sum >DEBIAN/md5sums )
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out_dir/$name.deb" >&2
rm -rf "$stage"
echo "$out_dir/$name.deb"
