#!/usr/bin/env bash
# Cuts the one Java runtime that the bundle, the .deb and the container image all carry: jlink, from the
# JDK that runs the build, with the modules the relay and the client use. jlink takes about a minute on
# two cores, so a runtime already cut from the same JDK with the same modules is kept (OUT_DIR.stamp).
# Usage: build-runtime.sh OUT_DIR
set -euo pipefail

out="$1"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

# What `jdeps --print-module-deps` reports for the app module and its jars, plus jdk.crypto.ec (TLS with EC
# keys) and java.logging; java.desktop, which jdeps lists for java.beans, is left out on purpose: it brings
# AWT and X11 libraries, and neither command loads it (BundleIT and check-image.sh run them).
modules=java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.unsupported

if [[ ! -d "$java_home/jmods" ]]; then
  echo "build-runtime: $java_home has no jmods/, which jlink needs: install the JDK's jmods" \
    "(Debian: openjdk-17-jdk-headless has them; Fedora: java-17-openjdk-jmods) or point JAVA_HOME at a full JDK" >&2
  exit 1
fi
# Debian's JDK keeps the symbol tables in its native libraries; they are stripped here as dh_strip strips
# a Debian package's (lintian counts unstripped ones as errors), with binutils' strip where there is one.
strip="$(command -v strip || true)"
stamp="$(cat "$java_home/release")
modules=$modules strip=${strip:-none}"
if [[ -x "$out/bin/java" && -f "$out.stamp" && "$(cat "$out.stamp")" == "$stamp" ]]; then
  echo "build-runtime: $out is already cut from this JDK with these modules"
  exit 0
fi
rm -rf "$out"
mkdir -p "$(dirname "$out")"
# --strip-debug drops class files' debug attributes.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --output "$out"
if [[ -n "$strip" ]]; then
  while IFS= read -r -d '' elf; do
    [[ "$(head -c 4 "$elf")" == $'\x7fELF' ]] || continue
    case "$elf" in
      *.so) "$strip" --remove-section=.comment --remove-section=.note --strip-unneeded "$elf" ;;
      *) "$strip" --remove-section=.comment --remove-section=.note "$elf" ;;
    esac
  done < <(find "$out" -type f \( -name '*.so' -o -perm -u+x \) -print0)
fi
printf '%s' "$stamp" >"$out.stamp"
echo "build-runtime: $(du -sh "$out" | cut -f1) in $out"
