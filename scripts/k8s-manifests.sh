#!/usr/bin/env bash
# Regenerates the plain manifests in k8s/ (or in the folder given) from charts/cauchy: a kustomize base from the
# chart's defaults and one overlay per example profile. Every render names existing Secrets for the bundled
# PostgreSQL and MinIO and for authentication, so no generated password or token lands in a file (k8s/README.md says how to create them).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-k8s}"
helm=.tools/bin/helm
[ -x "$helm" ] || helm=$(command -v helm || true)
[ -n "$helm" ] || { echo "k8s-manifests: helm is missing; run 'make deps'" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

render() { # name [helm args...]
  local name=$1; shift
  "$helm" template cauchy charts/cauchy --namespace cauchy \
    --set postgresql.existingSecret=cauchy-postgresql --set minio.existingSecret=cauchy-minio \
    --set auth.existingSecret=cauchy-auth "$@" >"$work/$name.yaml"
}
render base
render evaluation -f charts/cauchy/examples/minimal.yaml
# The GPU profile expects the Prometheus operator; rendering as if its API were served includes the ServiceMonitor
# and the PrometheusRule.
render gpu-cluster -f charts/cauchy/examples/gpu-cluster.yaml --api-versions monitoring.coreos.com/v1
render cpu-only -f charts/cauchy/examples/cpu-only.yaml
node scripts/k8s-manifests.mjs "$out" "$work/base.yaml" \
  evaluation="$work/evaluation.yaml" gpu-cluster="$work/gpu-cluster.yaml" cpu-only="$work/cpu-only.yaml"
echo "k8s-manifests: wrote $out/base and $out/overlays/{evaluation,gpu-cluster,cpu-only}"
