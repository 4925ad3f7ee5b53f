#!/usr/bin/env bash
# Builds the files the relay's container image adds on top of `scratch`, besides the Java runtime (the one
# jlink runtime of package/build-runtime.sh, which Jib puts at /opt/java): the shared libraries that runtime
# and Netty's native transports link against (found with ldd, copied from the build machine), and a few
# files under /etc. No base image is pulled and no container engine runs: Jib packs this tree, the runtime
# and the relay's jars into an image tar (see deploy/pom.xml).
# Usage: build-rootfs.sh OUT_DIR JAR_DIR RUNTIME_DIR   (JAR_DIR: the relay's runtime jars, for Netty's .so files)
set -euo pipefail

out="$1"
jars="$2"
runtime="$(cd "$3" && pwd -P)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"
mkdir -p "$out/tmp" "$out/var/lib/homeport-server"

# Netty extracts these from its jars at start; their libraries must be in the image too. The image is
# for the build machine's architecture (its JDK and libraries go in), so only that one's natives count.
case "$(uname -m)" in
  x86_64) arch=x86_64 ;;
  aarch64) arch=aarch_64 ;;
  *) echo "build-rootfs: no Netty native transport for $(uname -m)" >&2; exit 1 ;;
esac
natives="$(mktemp -d)"
trap 'rm -rf "$natives"' EXIT
for jar in "$jars"/netty-transport-native-epoll-*-linux-"$arch".jar "$jars"/netty-tcnative-boringssl-static-*-linux-"$arch".jar; do
  if [[ ! -f "$jar" ]]; then
    echo "build-rootfs: missing $jar" >&2
    exit 1
  fi
  (cd "$natives" && "$java_home/bin/jar" xf "$jar" META-INF/native)
done

# Every ELF file's libraries, by the absolute path the build machine resolves them to; the image keeps
# the same paths, so the dynamic loader finds them as it does here.
copy_lib() {
  local path="$1"
  case "$path" in "$runtime"/* | "$natives"/*) return 0 ;; esac # the runtime's own libraries come with it
  [[ -e "$out$path" ]] && return 0
  mkdir -p "$out$(dirname "$path")"
  cp -L "$path" "$out$path"
}
while IFS= read -r -d '' elf; do
  [[ "$(head -c 4 "$elf")" == $'\x7fELF' ]] || continue
  # Lines look like "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)".
  ldd "$elf" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
    copy_lib "$lib"
  done
done < <(find "$runtime" "$natives" -type f \( -name '*.so' -o -perm -u+x \) -print0)

cp -R "$here/rootfs/." "$out/"
echo "build-rootfs: $(du -sh "$out" | cut -f1) in $out (plus the runtime, $(du -sh "$runtime" | cut -f1))"
