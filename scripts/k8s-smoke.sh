#!/usr/bin/env bash
# `make k8s-smoke`: the install test on a real container engine. Renders charts/cauchy for the local profile
# (charts/cauchy/examples/local-podman.yaml, with PostgreSQL as the database) with `helm template`, runs the rendered
# Deployments and ConfigMaps with `podman kube play` (with PostgreSQL the chart renders no PersistentVolumeClaims: they
# only hold SQLite files; the profile's SQLite variant is not played here), and drives the platform through the CLI
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
# - A kind: Secret read through env fails ("not valid JSON"), so the three Secrets the pods read (connection strings,
#   S3 keys, the service secret and admin token) are created with `podman secret create`, each holding the Secret's data
#   (JSON, base64 values).
# - An emptyDir becomes a named volume called after the pod's volume ("tmp"), shared by every pod using that name:
#   the test names each Deployment's own ("<deployment>-tmp") before playing them.
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
# Authentication: the services' shared secret and the admin token the orchestrator registers; the CLI sends the token.
service_secret=$(head -c 32 /dev/urandom | base64 -w0)
admin_token="cauchy_$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')"
export CAUCHY_TOKEN=$admin_token
s3_key=S3RVER s3_secret=S3RVER # the only keys s3rver accepts
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
  podman secret rm "$prefix-db" "$prefix-s3" "$prefix-auth" >/dev/null 2>&1 || true
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
# job_succeeded: true once the job succeeded; fails the test at once when it failed or was cancelled.
job_succeeded() {
  local state; state=$(job_field '.state') || return 1
  case $state in
    JOB_STATE_SUCCEEDED) return 0 ;;
    JOB_STATE_FAILED | JOB_STATE_CANCELLED) fail "job/$job ended $state: $(job_field '.errorMessage')" ;;
    *) return 1 ;;
  esac
}
job_log_has() { local log; log=$(cauchy jobs logs "$job") && grep -q -- "$1" <<<"$log"; }
# pod_of DEPLOYMENT: the pod podman runs for it (named after the Deployment).
pod_of() { podman pod ps --format '{{.Name}}' | grep -E -- "^$1-pod(-[0-9]+)?$" | head -n1; }
healthy() { local answer; answer=$(curl -fsS "http://127.0.0.1:$1/healthz") && grep -qx 'ok\|degraded' <<<"$answer"; }

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
auth:
  existingSecret: $prefix-auth
objectStore:
  existingSecret: $prefix-s3
  serviceUrl: http://host.containers.internal:4569
# Longer than the profile's 20 s: on a loaded 2-core machine a heartbeat can miss a 20 s lease while a trainer drains.
orchestrator:
  leaseSeconds: 45
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

def own_volumes(deployment):
    """Podman 4.3 makes an emptyDir a named volume called after the pod's volume ("tmp", "data"), shared by every pod
    that uses the name: each Deployment's get names of their own (and the teardown finds them by the prefix)."""
    spec = deployment["spec"]["template"]["spec"]
    renames = {v["name"]: f'{deployment["metadata"]["name"]}-{v["name"]}' for v in spec.get("volumes", []) if "emptyDir" in v}
    for v in spec.get("volumes", []):
        v["name"] = renames.get(v["name"], v["name"])
    for c in spec["containers"]:
        for m in c.get("volumeMounts", []):
            m["name"] = renames.get(m["name"], m["name"])

trainer = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["labels"].get("app.kubernetes.io/component") == "trainer")
trainer_config = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["labels"].get("app.kubernetes.io/component") == "trainer")
name = trainer["metadata"]["name"]
for suffix in ("b", "c"):
    copy = yaml.safe_load(yaml.safe_dump(trainer))
    copy["metadata"]["name"] = f"{name}-{suffix}"
    own_volumes(copy)
    # podman reads a pod's ConfigMaps from the same file.
    yaml.safe_dump_all([trainer_config, copy], open(f"{work}/trainer-{suffix}.yaml", "w"), sort_keys=False)
for d in played:
    if d["kind"] == "Deployment":
        own_volumes(d)
yaml.safe_dump_all(played, open(f"{work}/cauchy.yaml", "w"), sort_keys=False)
open(f"{work}/trainer-a.name", "w").write(name)
print("played: " + ", ".join(f'{d["kind"]}/{d["metadata"]["name"]}' for d in played))
PY

step "3/9 PostgreSQL and the S3 stand-in beside the pods; the Secrets the pods read"
podman run -d --name "$prefix-postgresql" --label "app.kubernetes.io/instance=$prefix" --read-only \
  -e POSTGRES_PASSWORD="$pg_password" -v "$prefix-postgresql:/var/lib/cauchy-postgresql" -v "$prefix-postgresql-tmp:/tmp" \
  -p 55432:5432 "localhost/cauchy/postgresql:$TAG" >/dev/null || fail "podman run postgresql"
podman run -d --name "$prefix-s3" --label "app.kubernetes.io/instance=$prefix" --read-only \
  -v "$prefix-s3:/var/lib/s3" -e S3RVER_BUCKETS=cauchy -p 4569:4569 "localhost/cauchy/s3:$TAG" >/dev/null || fail "podman run s3"
wait_for 60 "PostgreSQL did not accept connections" podman exec "$prefix-postgresql" pg_isready -q -h /tmp -U postgres
wait_for 30 "the S3 stand-in did not answer" curl -fsS http://127.0.0.1:4569/
# podman reads a secretKeyRef from a `podman secret create` secret holding the Secret's data: a JSON object of keys
# and base64 values.
b64() { printf '%s' "$1" | base64 -w0; }
connection() { echo "Host=host.containers.internal;Port=55432;Database=cauchy_$1;Username=postgres;Password=$pg_password"; }
printf '{"datasets":"%s","orchestrator":"%s","metrics":"%s","registry":"%s"}' \
  "$(b64 "$(connection datasets)")" "$(b64 "$(connection orchestrator)")" "$(b64 "$(connection metrics)")" \
  "$(b64 "$(connection registry)")" | podman secret create "$prefix-db" - >/dev/null || fail "podman secret create $prefix-db"
printf '{"access-key":"%s","secret-key":"%s"}' \
  "$(b64 "$s3_key")" "$(b64 "$s3_secret")" | podman secret create "$prefix-s3" - >/dev/null \
  || fail "podman secret create $prefix-s3"
printf '{"service-secret":"%s","admin-token":"%s"}' "$(b64 "$service_secret")" "$(b64 "$admin_token")" \
  | podman secret create "$prefix-auth" - >/dev/null || fail "podman secret create $prefix-auth"

step "4/9 podman kube play: the four services and a CPU trainer"
podman kube play --start "$work/cauchy.yaml" >"$work/play.log" 2>&1 || { cat "$work/play.log" >&2; fail "podman kube play"; }
for port in 51051 51052 51054 51055 51053; do
  wait_for 180 "the service on port $((port - 1000)) did not become healthy (/healthz on $port)" healthy $port
done
podman pod ps --filter "label=app.kubernetes.io/instance=$prefix" --format '{{.Name}} {{.Status}}'
trainer_a=$(pod_of "$(cat "$work/trainer-a.name")")
[ -n "$trainer_a" ] || fail "no pod for the trainer Deployment $(cat "$work/trainer-a.name")"

step "5/9 create and import a Fashion-MNIST subset through the CLI (2,000 train and 500 test images)"
python3 - "$work/fashion-mnist" <<'PY' || fail "writing the Fashion-MNIST subset"
import gzip, os, struct, sys
src, out = "/usr/share/datasets/fashion-mnist", sys.argv[1]
os.makedirs(out, exist_ok=True)
for prefix, count in (("train", 2000), ("t10k", 500)):
    for kind, header in (("images-idx3-ubyte", 16), ("labels-idx1-ubyte", 8)):
        data = gzip.open(f"{src}/{prefix}-{kind}.gz").read()
        head = bytearray(data[:header]); head[4:8] = struct.pack(">I", count)
        item = 28 * 28 if kind.startswith("images") else 1
        with gzip.open(f"{out}/{prefix}-{kind}.gz", "wb") as f:
            f.write(bytes(head) + data[header:header + count * item])
PY
cauchy datasets create fashion-mnist-smoke --task classification --display-name "Fashion-MNIST subset" >/dev/null \
  || fail "datasets create"
import=$(cauchy datasets import fashion-mnist-smoke "$work/fashion-mnist" --format idx --keep-source-splits --train-fraction 1 \
  --classes "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot" -o json) || fail "datasets import"
version=$(jq -er '.version.versionId' <<<"$import") || fail "the import answered no version id"
echo "imported fashion-mnist-smoke@$version"

step "6/9 train on the CPU pool; SIGTERM its trainer mid-job: it must checkpoint and release the job"
cat >"$work/hypes.yaml" <<HYPES
display_name: install test (small CNN on a Fashion-MNIST subset)
task_type: classification
model:
  architecture: small_cnn
dataset:
  dataset_id: fashion-mnist-smoke
  version_id: $version
hyperparameters:
  epochs: 3
  batch_size: 16
  seed: 0
  optimizer:
    kind: sgd
    learning_rate: 0.05
    momentum: 0.9
resources:
  device: cpu
checkpoint_every_steps: 20
output_model_name: fashion-mnist-smoke
HYPES
job=$(cauchy jobs submit -f "$work/hypes.yaml" -o json | jq -er '.id') || fail "jobs submit"
echo "job/$job submitted"
wait_for 240 "job/$job did not pass step 30 on $trainer_a" job_past_step 30
echo "job/$job is held by $(job_field '.workerId')"
echo "job/$job at step $(job_field '.progress.step') on $trainer_a; podman pod stop (SIGTERM, the pod's grace period)"
podman pod stop -t 60 "$trainer_a" >/dev/null || fail "podman pod stop $trainer_a"
# Released, not abandoned: the job is queued again at once (an abandoned lease would hold it for 45 s) with a
# checkpoint of the step the trainer stopped at.
state=$(job_field '.state')
[ "$state" = JOB_STATE_QUEUED ] || fail "job/$job is $state after its trainer stopped: the trainer did not release it on SIGTERM"
released_at=$(job_field '.latestCheckpoint.step') || fail "job/$job has no checkpoint after its trainer stopped"
echo "$trainer_a released job/$job with a checkpoint of step $released_at"
podman pod rm -f "$trainer_a" >/dev/null

step "7/9 a second trainer resumes the job; SIGKILL it mid-job: the lease expires and a third one resumes"
podman kube play --start "$work/trainer-b.yaml" >>"$work/play.log" 2>&1 || fail "podman kube play trainer-b"
trainer_b=$(pod_of "$(cat "$work/trainer-a.name")-b")
[ -n "$trainer_b" ] || fail "no pod for the second trainer"
wait_for 180 "job/$job was not resumed by another trainer" job_log_has "resumed at step"
resumed=$(cauchy jobs logs "$job" | grep -o 'resumed at step [0-9]*.*' | tail -n1)
echo "$resumed on $(job_field '.workerId')"
[[ $resumed == "resumed at step $released_at "* ]] || fail "job/$job resumed at another step than the released checkpoint's ($released_at)"
step_b=$(job_field '.progress.step')
wait_for 240 "job/$job made no progress on the second trainer" job_past_step $((step_b + 30))
echo "job/$job at step $(job_field '.progress.step') on $(job_field '.workerId'); podman pod kill (SIGKILL)"
podman pod kill -s KILL "$trainer_b" >/dev/null || fail "podman pod kill $trainer_b"
podman pod rm -f "$trainer_b" >/dev/null
resumed_before=$(cauchy jobs logs "$job" | grep -c 'resumed at step')
podman kube play --start "$work/trainer-c.yaml" >>"$work/play.log" 2>&1 || fail "podman kube play trainer-c"
resumed_again() { [ "$(cauchy jobs logs "$job" | grep -c 'resumed at step')" -gt "$resumed_before" ]; }
wait_for 300 "job/$job was not resumed after its trainer was killed" resumed_again
echo "$(cauchy jobs logs "$job" | grep 'resumed at step' | tail -n1) on $(job_field '.workerId')"
until job_succeeded; do
  [ $((SECONDS - started)) -lt 1500 ] || fail "job/$job did not succeed in time (state $(job_field '.state'))"
  sleep 3
done
details=$(cauchy jobs get "$job" -o json) || fail "jobs get"
model=$(jq -er '.resultModelVersion.modelName' <<<"$details") || fail "job/$job registered no model"
model_version=$(jq -er '.resultModelVersion.version' <<<"$details") || fail "job/$job registered no model version"
accuracy=$(jq -er '.lastMetrics[] | select(.name == "test/accuracy") | .value' <<<"$details") || fail "job/$job reported no test/accuracy"
echo "job/$job succeeded after $(jq -r '.attempt' <<<"$details") attempts: $model:$model_version, test accuracy $(printf '%.4f' "$accuracy")"

step "8/9 evaluate, register, download the weights, scrape /metrics"
evaluation=$(cauchy eval list --job "$job" -o json | jq -er '[.[] | select(.modelVersion.modelName == "'"$model"'")][0].id') \
  || fail "no evaluation of $model:$model_version"
cauchy eval show "$evaluation" | head -n 8 || fail "eval show"
cauchy models promote "$model:$model_version" --stage staging >/dev/null || fail "models promote"
cauchy models download "$model:$model_version" -O "$work/weights.safetensors" || fail "models download"
[ -s "$work/weights.safetensors" ] || fail "the downloaded weights are empty"
echo "weights: $(stat -c %s "$work/weights.safetensors") bytes"
curl -fsS http://127.0.0.1:51052/metrics >"$work/orchestrator.metrics" || fail "scraping the orchestrator's /metrics"
grep -E '^cauchy_jobs\{.*state="succeeded".*\} [1-9]' "$work/orchestrator.metrics" || fail "cauchy_jobs{state=\"succeeded\"} is not counted in /metrics"
# (Scraped into files first: grep -q would close the pipe early, and curl's SIGPIPE would fail the pipeline.)
for port in 51051 51054 51055; do
  curl -fsS "http://127.0.0.1:$port/metrics" >"$work/$port.metrics" || fail "scraping /metrics on port $port"
  grep -q '^grpc_server_handled_total' "$work/$port.metrics" || fail "no gRPC server metrics on port $port"
done
# The trainer serves no gRPC call here (nobody drains it through its API); its own gauges are what matter.
curl -fsS http://127.0.0.1:51053/metrics >"$work/trainer.metrics" || fail "scraping the trainer's /metrics"
grep -E '^cauchy_trainer_busy ' "$work/trainer.metrics" || fail "no cauchy_trainer_busy on the trainer's /metrics"

step "9/9 tear down"
teardown
left=$(podman ps -a --format '{{.Names}}' | grep -E "^$prefix" || true; podman volume ls -q | grep -E "^$prefix" || true)
[ -z "$left" ] || fail "left behind: $left"
trap - INT TERM
echo "k8s-smoke: PASS in $(elapsed) (job/$job trained on 3 trainers, $model:$model_version test_accuracy=$(printf '%.4f' "$accuracy"))"
