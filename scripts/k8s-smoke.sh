#!/usr/bin/env bash
# `make k8s-smoke`: the install test on a real container engine. Renders charts/cauchy for the local profile
# (charts/cauchy/examples/local-podman.yaml, with PostgreSQL as the database) with `helm template`, runs the rendered
# Deployments, ConfigMaps and PersistentVolumeClaims with `podman kube play`, and drives the platform through the CLI
# from this machine, as a user would: create and import a small Fashion-MNIST subset, train a short job on the CPU
# trainer pool, stop its trainer (SIGTERM: it must checkpoint and release the job) and start another, which must resume
# it; kill that one (SIGKILL: the lease expires) and start a third, which must resume it again and finish; then
# evaluate, register, download the weights and scrape /metrics. Tears everything down, and ends with one line:
# "k8s-smoke: PASS (...)" or "k8s-smoke: FAIL: <why>".
#
# Why `podman kube play` and not Testcontainers on podman's socket: kube play reads the chart's rendered objects
# themselves (the image, env from ConfigMaps and Secrets, probes' ports, volumes, security contexts), so the test
# checks what the chart renders; Testcontainers would need each container re-described in code.
# Podman 4.3's limits, and what this does about them:
# - Services are skipped, so the pods cannot find each other by name. Every pod publishes its ports on the host
#   (hostPorts: true) and calls its peers at host.containers.internal, podman's name for the host, on those ports
#   (the profile's addressOverrides); the CLI here uses 127.0.0.1.
# - StatefulSets are skipped: PostgreSQL (images/Containerfile.postgresql) and the S3 stand-in (s3rver,
#   images/Containerfile.s3; no MinIO binary is packaged here) run beside the pods with `podman run`, as an external
#   database and object store (database.external, objectStore.serviceUrl).
# - A kind: Secret read through env fails ("not valid JSON"), so the two Secrets the pods read (connection strings,
#   S3 keys) are created with `podman secret create`, holding the Secret object as JSON.
# - A Deployment runs one pod, and a killed container restarts in place; a second trainer is the same rendered
#   Deployment under another name, played after the first one's pod is removed (they publish the same host ports).
# Usage: scripts/k8s-smoke.sh [CONFIG]   (needs `make images` and the CLI built: `make k8s-smoke` does both)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CONTAINERS_CONF="$root/images/containers.conf"
CONFIG=${1:-Release}
TAG=${CAUCHY_IMAGE_TAG:-latest}
work=.cache/k8s-smoke
prefix=cauchy-smoke
pg_password=smoke-$RANDOM$RANDOM
s3_key=smoke-access s3_secret=smoke-secret-$RANDOM
CLI="services/cli/bin/$CONFIG/net10.0/cauchy.dll"
started=$SECONDS
export CAUCHY_DATASETS_ADDRESS=http://127.0.0.1:50051 CAUCHY_JOBS_ADDRESS=http://127.0.0.1:50052
export CAUCHY_METRICS_ADDRESS=http://127.0.0.1:50054 CAUCHY_REGISTRY_ADDRESS=http://127.0.0.1:50055
cauchy() { dotnet "$CLI" "$@"; }
elapsed() { printf '%dm%02ds' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }
step() { printf '\n== %s  (%s)\n' "$1" "$(elapsed)"; }

teardown() {
  [ -f "$work/cauchy.yaml" ] && podman kube down "$work/cauchy.yaml" >/dev/null 2>&1 || true
  for t in b c; do
    [ -f "$work/trainer-$t.yaml" ] && podman kube down "$work/trainer-$t.yaml" >/dev/null 2>&1 || true
  done
  podman pod ls -q --filter "label=app.kubernetes.io/instance=$prefix" | xargs -r podman pod rm -f >/dev/null 2>&1 || true
  podman rm -f -t 10 "$prefix-s3" "$prefix-postgresql" >/dev/null 2>&1 || true
  podman secret rm "$prefix-db" "$prefix-s3" >/dev/null 2>&1 || true
  podman volume ls -q | grep -E "^($prefix-|$prefix$)" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
}
logs_of() {
  for c in $(podman ps -a --format '{{.Names}}' | grep -E "^$prefix" | grep -v -- '-infra$' || true); do
    echo "---- last lines of $c" >&2
    podman logs --tail 20 "$c" >&2 2>&1 || true
  done
}
fail() {
  echo "k8s-smoke: the platform's containers, last lines:" >&2
  logs_of
  teardown
  echo "k8s-smoke: FAIL after $(elapsed): $*"
  exit 1
}
trap 'fail "interrupted"' INT TERM

# wait_for SECONDS WHAT COMMAND...: retries COMMAND every 2 s until it succeeds.
wait_for() {
  local limit=$1 what=$2; shift 2
  local until=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $until ] || fail "$what (waited ${limit} s)"
    sleep 2
  done
}
job_field() { cauchy jobs get "$job" -o json | jq -er "$1"; }
job_past_step() { [ "$(job_field '.progress.step // 0')" -ge "$1" ]; }
job_in_state() { [ "$(job_field '.state')" = "$1" ]; }
job_log_has() { cauchy jobs logs "$job" | grep -q -- "$1"; }
healthy() { curl -fsS "http://127.0.0.1:$1/healthz" | grep -qx 'ok\|degraded'; }

step "1/9 preconditions: podman, the images, the CLI, free ports"
command -v podman >/dev/null || fail "podman is not installed (make images installs it)"
command -v jq >/dev/null || fail "jq is not installed (make deps)"
[ -x .tools/bin/helm ] || fail "helm is not unpacked in .tools/bin (make deps)"
[ -f "$CLI" ] || fail "the CLI is not built ($CLI; make build-platform)"
for image in datasets orchestrator metrics registry trainer s3 postgresql; do
  podman image exists "localhost/cauchy/$image:$TAG" || fail "image localhost/cauchy/$image:$TAG is missing (make images)"
done
teardown
busy=$(ss -Hltn | awk '{ print $4 }' | grep -E ':(5005[1-5]|5105[1-5]|4569|55432)$' || true)
[ -z "$busy" ] || fail "ports already in use on this machine: $(echo $busy)"
rm -rf "$work" && mkdir -p "$work"

step "2/9 render the chart (helm template, local-podman profile with PostgreSQL)"
cat >"$work/values.yaml" <<VALUES
database:
  provider: postgres
  external:
    existingSecret: $prefix-db
objectStore:
  existingSecret: $prefix-s3
  serviceUrl: http://host.containers.internal:4569
VALUES
.tools/bin/helm template "$prefix" charts/cauchy --namespace "$prefix" \
  -f charts/cauchy/examples/local-podman.yaml -f "$work/values.yaml" >"$work/rendered.yaml" || fail "helm template"
# What podman runs: Deployments, ConfigMaps and PersistentVolumeClaims (Services and the rest are skipped by podman;
# the Secrets are created below). The trainer Deployment also goes, renamed, into trainer-b.yaml and trainer-c.yaml.
python3 - "$work" <<'PY' || fail "splitting the rendered manifests"
import sys, yaml
work = sys.argv[1]
docs = [d for d in yaml.safe_load_all(open(f"{work}/rendered.yaml")) if d]
kinds = {}
for d in docs:
    kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
print("rendered: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
played = [d for d in docs if d["kind"] in ("Deployment", "ConfigMap", "PersistentVolumeClaim")]
yaml.safe_dump_all(played, open(f"{work}/cauchy.yaml", "w"), sort_keys=False)
trainer = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["labels"].get("app.kubernetes.io/component") == "trainer")
name = trainer["metadata"]["name"]
for suffix in ("b", "c"):
    copy = yaml.safe_load(yaml.safe_dump(trainer))
    copy["metadata"]["name"] = f"{name}-{suffix}"
    yaml.safe_dump(copy, open(f"{work}/trainer-{suffix}.yaml", "w"), sort_keys=False)
open(f"{work}/trainer-a.name", "w").write(name)
print("played: " + ", ".join(f'{d["kind"]}/{d["metadata"]["name"]}' for d in played))
PY
