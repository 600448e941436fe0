#!/usr/bin/env bash
# Builds the control plane's base image (Debian bookworm, minimal, with openjdk-17-jre-headless and
# CA certificates) from Debian's packages alone, as a `docker save` tarball Jib takes with
# -Dimage.base=tar://...: no registry and no Docker daemon needed. Needs root (debootstrap) and
# network access to a Debian mirror.
#
#   sudo install/image/build-base.sh [out.tar]          # default: target/image/meshctl-base.tar
#   ./mvnw -Pimage -pl control-plane -am package -DskipTests \
#       -Dimage.base=tar://$PWD/target/image/meshctl-base.tar
#   sudo install/image/run-image.sh control-plane/target/jib-image.tar version
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/target/image/meshctl-base.tar}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite="${DEBIAN_SUITE:-bookworm}"
work="$(mktemp -d)"
trap 'umount "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install -y debootstrap" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "debootstrap needs root; run with sudo" >&2; exit 2; }

echo "build-base: debootstrap $suite from $mirror" >&2
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

# What a runtime image does not need: package caches and lists, docs, man pages, locales.
rm -rf "$work"/rootfs/var/cache/apt/* "$work"/rootfs/var/lib/apt/lists/* \
  "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/info/* \
  "$work"/rootfs/var/log/* "$work"/rootfs/tmp/*
find "$work/rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +

# Istio's UID/GID 1337, which the image runs as.
chroot "$work/rootfs" groupadd --gid 1337 istio-proxy
chroot "$work/rootfs" useradd --uid 1337 --gid 1337 --no-create-home --home-dir /nonexistent \
  --shell /usr/sbin/nologin istio-proxy
# The image's working directory: `serve` without a cluster keeps its CA in .meshctl/ there.
install -d -o 1337 -g 1337 -m 0750 "$work/rootfs/var/lib/meshctl"

# One layer, reproducible: sorted names, fixed times and owners.
mkdir -p "$work/image"
tar --sort=name --mtime='@0' --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/image/layer.tar" .
python3 - "$work/image" "$suite" <<'PY'
import hashlib, json, os, sys
d, suite = sys.argv[1], sys.argv[2]
h = hashlib.sha256()
with open(os.path.join(d, "layer.tar"), "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
jvm = "/usr/lib/jvm/java-17-openjdk-amd64"
config = {
    "architecture": "amd64",
    "os": "linux",
    "config": {
        "Env": [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "JAVA_HOME=" + jvm,
            "LANG=C.UTF-8",
        ],
        "User": "1337:1337",
        "WorkingDir": "/var/lib/meshctl",
    },
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + h.hexdigest()]},
    "history": [{"created_by": "install/image/build-base.sh: debootstrap " + suite
                 + " minbase + openjdk-17-jre-headless + ca-certificates"}],
}
raw = json.dumps(config, sort_keys=True).encode()
name = hashlib.sha256(raw).hexdigest() + ".json"
open(os.path.join(d, name), "wb").write(raw)
manifest = [{"Config": name, "RepoTags": ["meshctl-base:" + suite + "-jre17"], "Layers": ["layer.tar"]}]
open(os.path.join(d, "manifest.json"), "w").write(json.dumps(manifest))
PY
mkdir -p "$(dirname "$out")"
# Named entries, no "./": Jib refuses archive entries that look like paths outside the image.
(cd "$work/image" && tar --sort=name --mtime='@0' --numeric-owner -cf "$out" -- *)
echo "build-base: wrote $out ($(du -h "$out" | cut -f1))" >&2
