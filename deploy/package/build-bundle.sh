#!/usr/bin/env bash
# Assembles the self-contained bundle, homeport-VERSION-linux-ARCH.tar.gz: the jlink runtime
# (build-runtime.sh), the app's jars (this machine's platform natives only), bin/homeport and
# bin/homeport-server, shell completion scripts, example configs, README and COPYRIGHT. Also stages the
# files only the .deb carries (systemd units for the package's paths, /etc/homeport/server.env, doc,
# lintian overrides) under DEB_ROOT, for jdeb (deploy/pom.xml) to pack beside the bundle's tree.
# Usage: build-bundle.sh VERSION ARCH JAR_DIR RUNTIME_DIR PACKAGES_DIR DEB_ROOT
set -euo pipefail

version="$1"
arch="$2"
jars="$3"
runtime="$4"
packages="$5"
deb_root="$6"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deploy="$(dirname "$here")"
checkout="$(dirname "$deploy")"
name="homeport-$version-linux-$arch"
# Debian's spelling of a Maven version, as jdeb writes it into the .deb: 0.1.0-SNAPSHOT sorts after 0.1.0
# in Debian's order, 0.1.0~snapshot before it (jdeb writes it in lower case).
deb_version="${version/-SNAPSHOT/~snapshot}"
# Files get the commit's time, so two builds of one commit give the same tar.
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$checkout" log -1 --format=%ct 2>/dev/null || date +%s)}"

stage="$(dirname "$deb_root")/bundle"
bundle="$stage/$name"
rm -rf "$stage" "$deb_root"
mkdir -p "$bundle"/{bin,lib,share/bash-completion/completions,share/zsh/vendor-completions,examples} "$packages"

install -m 755 "$here/bin/homeport" "$here/bin/homeport-server" "$bundle/bin/"
cp -a "$runtime" "$bundle/runtime"
# jlink leaves the licence notices read-only (0444); a package's files are 0644.
find "$bundle/runtime/legal" -type f -exec chmod 644 {} +
# Netty's native jars for other systems and architectures would only weigh.
case "$arch" in
  x86_64) netty_arch=linux-x86_64 ;;
  aarch64) netty_arch=linux-aarch_64 ;;
  *) echo "build-bundle: no Netty natives for $arch" >&2; exit 1 ;;
esac
for jar in "$jars"/*.jar; do
  case "$(basename "$jar")" in
    *-linux-x86_64.jar | *-linux-aarch_64.jar | *-osx-*.jar | *-windows-*.jar)
      [[ "$jar" == *-"$netty_arch".jar ]] || continue ;;
  esac
  install -m 644 "$jar" "$bundle/lib/"
done

# The completion scripts come from the commands themselves (picocli's AutoComplete), run from the bundle
# with no java on PATH: the first proof that the bundle stands on its own.
for command in homeport homeport-server; do
  # A completion file is sourced, never run: no #! line (lintian: bash-completion-with-hashbang).
  env -i PATH=/usr/bin:/bin "$bundle/bin/$command" completion bash | sed '1{/^#!/d}' \
    >"$bundle/share/bash-completion/completions/$command"
  env -i PATH=/usr/bin:/bin "$bundle/bin/$command" completion zsh >"$bundle/share/zsh/vendor-completions/_$command"
done
install -m 644 "$deploy"/examples/*.yaml "$bundle/examples/"
install -m 644 "$checkout/README.md" "$bundle/README.md"
install -m 644 "$here/copyright" "$bundle/COPYRIGHT"

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$stage" -cf - "$name" \
  | gzip -n >"$packages/$name.tar.gz"
echo "build-bundle: $(du -h "$packages/$name.tar.gz" | cut -f1) $packages/$name.tar.gz"

# ---- what only the .deb has: units for /usr/bin and /var/lib/homeport, config, doc ----
# The units are deploy/systemd's, with the checkout's paths swapped for the package's; a unit that
# still names /opt/homeport or the checkout's state directory fails the build here.
units="$deb_root/lib/systemd/system"
doc="$deb_root/usr/share/doc/homeport"
mkdir -p "$units" "$doc/examples" "$deb_root/etc/homeport" "$deb_root/usr/share/lintian/overrides"
checkout_paths=(-e /opt/homeport -e StateDirectory=homeport-server -e /var/lib/homeport-server -e StateDirectory=homeport/%i -e %S/homeport/%i)
package_unit() {
  local from="$1" to="$2" header="$3"
  shift 3
  { printf '%s\n' "$header"; sed -n '/^\[Unit\]/,$p' "$from" | sed "$@"; } >"$to"
  if grep -q "${checkout_paths[@]}" "$to"; then
    echo "build-bundle: $to still names a checkout path:" >&2
    grep -n "${checkout_paths[@]}" "$to" >&2
    exit 1
  fi
}
package_unit "$deploy/systemd/homeport-server.service" "$units/homeport-server.service" \
  "# Homeport relay, from the homeport package. Settings: /etc/homeport/server.env (HOMEPORT_* variables,
# homeport-server --help names them). State (certificate, tokens): /var/lib/homeport; a token:
#   sudo -u homeport homeport-server token add NAME --ports 20000-20010 --state-dir /var/lib/homeport
# Then: systemctl enable --now homeport-server" \
  -e 's|^StateDirectory=homeport-server$|StateDirectory=homeport|' \
  -e 's|^Environment=HOMEPORT_STATE_DIR=/var/lib/homeport-server$|Environment=HOMEPORT_STATE_DIR=/var/lib/homeport|' \
  -e 's|^ExecStart=/opt/homeport/homeport-server$|ExecStart=/usr/bin/homeport-server|'
package_unit "$deploy/systemd/homeport@.service" "$units/homeport@.service" \
  "# Homeport client, from the homeport package, one instance per tunnel: homeport@jupyter.service reads
# /etc/homeport/jupyter.env, for example (see /usr/share/doc/homeport/examples/jupyter.env):
#   HOMEPORT_SERVER=relay.example.com:7700
#   HOMEPORT_TOKEN=hp_...
#   HOMEPORT_FINGERPRINT=SHA256:...          (as homeport-server printed it)
#   HOMEPORT_TUNNEL=tcp 8888 --remote-port 20000
# Then: systemctl enable --now homeport@jupyter. State: /var/lib/homeport-client/jupyter." \
  -e 's|^StateDirectory=homeport/%i$|StateDirectory=homeport-client/%i|' \
  -e 's|^Environment=XDG_CONFIG_HOME=%S/homeport/%i$|Environment=XDG_CONFIG_HOME=%S/homeport-client/%i|' \
  -e 's|^ExecStart=/opt/homeport/homeport |ExecStart=/usr/bin/homeport |'
chmod 644 "$units"/*

install -m 644 "$here/deb/server.env" "$deb_root/etc/homeport/server.env"
install -m 644 "$here/deb/jupyter.env" "$deploy"/examples/*.yaml "$doc/examples/"
install -m 644 "$here/copyright" "$doc/copyright"
gzip -9n -c "$checkout/README.md" >"$doc/README.md.gz"
sed "s/@DEB_VERSION@/$deb_version/; s/@DATE@/$(date -u -R -d "@$epoch")/" "$here/deb/changelog" | gzip -9n >"$doc/changelog.gz"
install -m 644 "$here/deb/lintian-overrides" "$deb_root/usr/share/lintian/overrides/homeport"
chmod 644 "$doc"/*.gz
