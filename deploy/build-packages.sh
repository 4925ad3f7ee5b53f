#!/usr/bin/env bash
# Builds what users install, under deploy/target/ (the deploy module's package phase, which
# `./mvnw verify` runs too, followed by the tests of what it built):
#   packages/homeport-VERSION-linux-ARCH.tar.gz   self-contained bundle, its own Java runtime
#   packages/homeport_VERSION_ARCH.deb            the same, as a Debian package
#   homeport-server-image.tar                     the relay's container image (docker load / podman load)
# One jlink runtime (about a minute the first time, kept after) goes into all three.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
./mvnw -B -q -Dmaven.test.skip=true -pl deploy -am package
ls -l deploy/target/packages/ deploy/target/homeport-server-image.tar
