#!/usr/bin/env bash
# Runs an image tarball (docker-save format, e.g. control-plane/target/jib-image.tar) without a
# container runtime: unpacks its layers into a directory and runs the image's entrypoint with its
# environment, working directory and user under chroot, with /proc mounted. A smoke test for
# machines without Docker; not an isolation boundary. Needs root.
#
#   sudo install/image/run-image.sh control-plane/target/jib-image.tar version
set -euo pipefail

image="$(realpath "$1")"; shift
[ "$(id -u)" = 0 ] || { echo "chroot needs root; run with sudo" >&2; exit 2; }
work="$(mktemp -d)"
trap 'umount "$work/rootfs/proc" 2>/dev/null || true; umount "$work/rootfs" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/image" "$work/rootfs"
tar -xf "$image" -C "$work/image"

# Layers in order, then the entrypoint, env, workdir and user from the image config.
python3 - "$work/image" > "$work/plan" <<'PY'
import json, os, shlex, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))[0]
c = json.load(open(os.path.join(d, m["Config"])))["config"]
for layer in m["Layers"]:
    print("LAYER " + os.path.join(d, layer))
print("USER " + (c.get("User") or "0:0"))
print("WORKDIR " + (c.get("WorkingDir") or "/"))
for e in c.get("Env") or []:
    print("ENV " + e)
print("ENTRY " + shlex.join((c.get("Entrypoint") or []) + (c.get("Cmd") or [])))
PY
while read -r kind rest; do
  [ "$kind" = LAYER ] && tar -xf "$rest" -C "$work/rootfs"
done < "$work/plan"
user="$(sed -n 's/^USER //p' "$work/plan")"
workdir="$(sed -n 's/^WORKDIR //p' "$work/plan")"
entry="$(sed -n 's/^ENTRY //p' "$work/plan")"
mapfile -t envs < <(sed -n 's/^ENV //p' "$work/plan")
mkdir -p "$work/rootfs/proc" "$work/rootfs/tmp"
chmod 1777 "$work/rootfs/tmp"
# The root must be a mount point, as in a container: the JVM looks paths up in /proc/self/mounts
# (Files.getFileStore), which lists mounts relative to the process's root.
mount --bind "$work/rootfs" "$work/rootfs"
mount -t proc proc "$work/rootfs/proc"

# With arguments, they replace the image's Cmd (as `docker run IMAGE ARGS` does); Jib puts the
# java command in Entrypoint and `serve` in Cmd.
if [ "$#" -gt 0 ]; then
  entrypoint="$(python3 -c 'import json,sys,os; d=sys.argv[1]; m=json.load(open(os.path.join(d,"manifest.json")))[0]; c=json.load(open(os.path.join(d,m["Config"])))["config"]; import shlex; print(shlex.join(c.get("Entrypoint") or []))' "$work/image")"
  cmd="$entrypoint $(printf '%q ' "$@")"
else
  cmd="$entry"
fi
chroot --userspec="$user" "$work/rootfs" /usr/bin/env -i "${envs[@]}" /bin/sh -c "cd $workdir && exec $cmd"
