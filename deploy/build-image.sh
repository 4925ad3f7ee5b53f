#!/usr/bin/env bash
# Builds the relay's container image as a tar, without a container engine or a registry:
# deploy/target/homeport-server-image.tar (Docker image format; `docker load` or `podman load` it).
# Takes about a minute (jlink is most of it). Then deploy/check-image.sh runs what it built.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
./mvnw -B -q -Pimage -DskipTests -Djib.disableUpdateChecks=true -pl deploy -am package
echo "build-image: deploy/target/homeport-server-image.tar"
