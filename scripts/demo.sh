#!/usr/bin/env bash
# `make demo`: the platform's whole job on one machine. Installs what it needs, builds the five services and the CLI,
# starts the platform in embedded mode (scripts/up.sh; one already running is reused), imports Fashion-MNIST,
# trains the small CNN (examples/hypes/fashion-mnist-demo.yaml) while `cauchy jobs watch` shows progress and curves,
# shows the test-set evaluation, promotes the registered model to production and says where to look next.
# The platform stays up afterwards so those commands work; `make down` stops it.
# Last line: demo job=<id> model=<name>:<version> test_accuracy=<a>. Any failed step exits non-zero and prints the
# log tail of the service(s) that step depends on.
# CAUCHY_PORT_OFFSET and CAUCHY_RUN_DIR place the platform as for `make up`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
CONFIG="${1:-Release}"
DATASET=fashion-mnist
IDX_DIR=/usr/share/datasets/fashion-mnist
HYPES=examples/hypes/fashion-mnist-demo.yaml
CLASSES="T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot"
started=$SECONDS

elapsed() { printf '%dm%02ds' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }
step() { printf '\n\033[1m== %s\033[0m  (%s)\n' "$1" "$(elapsed)"; }
[ -t 1 ] || step() { printf '\n== %s  (%s)\n' "$1" "$(elapsed)"; }

# fail MESSAGE SERVICE...: says what failed, shows the named services' last log lines, exits 1.
fail() {
  local message=$1; shift
  echo "demo: FAILED after $(elapsed): $message" >&2
  for name in "$@"; do
    if [ -f "$RUN_DIR/logs/$name.log" ]; then
      echo "---- last lines of $RUN_DIR/logs/$name.log" >&2
      tail -n 25 "$RUN_DIR/logs/$name.log" >&2
    fi
  done
  echo "demo: the platform is left running for inspection; 'make down' stops it" >&2
  exit 1
}

# Every service's address with the port offset, for the CLI (CAUCHY_<SERVICE>_ADDRESS; the orchestrator is "jobs").
for s in "${CAUCHY_SERVICES[@]}"; do
  read -r name dir asm port <<<"$s"
  key=$(echo "$name" | tr '[:lower:]' '[:upper:]')
  export "CAUCHY_${key}_ADDRESS=http://127.0.0.1:$((port + PORT_OFFSET))"
done
export CAUCHY_JOBS_ADDRESS="http://127.0.0.1:$((50052 + PORT_OFFSET))"
export CAUCHY_REGISTRY_ADDRESS="http://127.0.0.1:$((50055 + PORT_OFFSET))"
CLI="services/cli/bin/$CONFIG/net10.0/cauchy.dll"
cauchy() { dotnet "$CLI" "$@"; }
json() { jq -er "$1"; } # json FILTER < document: fails when the field is missing or null

step "1/8 dependencies (make deps, less the npm tools only the tests use)"
scripts/deps.sh --no-npm || fail "make deps"

step "2/8 build the five services and the CLI (cauchy-platform.slnf)"
dotnet build cauchy-platform.slnf -c "$CONFIG" -nologo -clp:NoSummary -v:q || fail "the build failed"

step "3/8 start the platform (embedded mode, logs in $RUN_DIR/logs)"
scripts/up.sh "$CONFIG" || fail "the platform did not start" datasets orchestrator trainer metrics registry

step "4/8 import Fashion-MNIST ($IDX_DIR: 60,000 train and 10,000 test images)"
if ! cauchy datasets show "$DATASET" -o json >/dev/null 2>&1; then
  cauchy datasets create "$DATASET" --task classification --display-name "Fashion-MNIST" \
    --description "Zalando's article images, 28x28 grey, 10 classes" || fail "datasets create" datasets
fi
# The source's own splits (train / t10k), all training images trained on (no validation split: each epoch is
# evaluated on the test split), the classes named. Importing the same files again returns the same version.
import=$(cauchy datasets import "$DATASET" "$IDX_DIR" --format idx --keep-source-splits --train-fraction 1 \
  --classes "$CLASSES" --description "make demo" -o json) || fail "datasets import" datasets
version=$(json '.version.versionId' <<<"$import") || fail "the import answered no version id" datasets
echo "dataset $DATASET@$version: $(jq -r '[.version.splitCounts[] | "\(.split | sub("SPLIT_"; "") | ascii_downcase) \(.sampleCount)"] | join(", ")' <<<"$import")"

step "5/8 submit the training job ($HYPES)"
hypes="$RUN_DIR/demo-hypes.yaml"
mkdir -p "$RUN_DIR"
# Pin the version just imported, so a dataset with several versions trains on this one.
awk -v v="$version" '{ print } /^  dataset_id: / { print "  version_id: " v }' "$HYPES" >"$hypes"
submitted=$(cauchy jobs submit -f "$hypes" -o json) || fail "jobs submit" orchestrator datasets
job=$(json '.id' <<<"$submitted") || fail "the submit answered no job id" orchestrator
echo "job/$job submitted: $(jq -r '.spec.model.architecture' <<<"$submitted"), $(jq -r '.spec.hyperparameters.epochs' <<<"$submitted") epochs"

step "6/8 train: cauchy jobs watch $job"
cauchy jobs watch "$job" || fail "job/$job did not succeed (cauchy jobs logs $job)" trainer orchestrator
details=$(cauchy jobs get "$job" -o json) || fail "jobs get" orchestrator
model=$(json '.resultModelVersion.modelName' <<<"$details") || fail "job/$job registered no model" trainer registry
model_version=$(json '.resultModelVersion.version' <<<"$details") || fail "job/$job registered no model version" trainer registry
accuracy=$(json '.lastMetrics[] | select(.name == "test/accuracy") | .value' <<<"$details") \
  || fail "job/$job reported no test/accuracy" trainer metrics
accuracy=$(printf '%.4f' "$accuracy")

step "7/8 the test-set evaluation (cauchy eval)"
evaluations=$(cauchy eval list --job "$job" -o json) || fail "eval list" metrics
# The evaluation of the registered model (the per-epoch ones have no model version).
evaluation=$(json '[.[] | select(.modelVersion.modelName == "'"$model"'")][0].id' <<<"$evaluations") \
  || fail "no evaluation of $model:$model_version for job/$job" metrics trainer
cauchy eval show "$evaluation" || fail "eval show" metrics

step "8/8 register and promote: $model:$model_version -> production"
cauchy models promote "$model:$model_version" --stage production || fail "models promote" registry
cauchy models show "$model" || fail "models show" registry

# How the CLI finds this platform (up.sh recorded its addresses in $RUN_DIR/addresses).
cli_hint="run from here, it finds this platform through $RUN_DIR/addresses"
[ "$RUN_DIR" = "$(pwd)/.run" ] || cli_hint="with CAUCHY_RUN_DIR=$RUN_DIR it finds this platform"
[ "$PORT_OFFSET" = 0 ] || cli_hint="$cli_hint (or set CAUCHY_PORT_OFFSET=$PORT_OFFSET)"
orchestrator_http=$((50052 + PORT_OFFSET + 1000))
trainer_http=$((50053 + PORT_OFFSET + 1000))
cat <<EOF

Where to look next (the platform is still running; 'make down' stops it):
  cauchy() { dotnet $CLI "\$@"; }   # the CLI; $cli_hint
  cauchy jobs get $job            # state, progress, metrics, the registered model
  cauchy jobs logs $job           # the trainer's log of the run
  cauchy jobs watch $job -o json  # the job's events as JSON lines
  cauchy eval show $evaluation    # per-class precision/recall/F1 and the confusion matrix
  cauchy models show $model; cauchy models download $model:$model_version   # versions, stages, lineage; the weights
Prometheus metrics (text format at each service's /metrics; point a Prometheus scrape job at them):
  http://127.0.0.1:$orchestrator_http/metrics   cauchy_jobs{state="succeeded"}, cauchy_jobs_queued; while a job runs:
      cauchy_job_train_loss{job_id="..."}, cauchy_job_test_accuracy (no validation split here), cauchy_job_step, cauchy_job_epoch
  http://127.0.0.1:$trainer_http/metrics        cauchy_trainer_busy; while it trains: cauchy_trainer_train_loss{job_id="..."},
      cauchy_trainer_samples_per_second, cauchy_trainer_learning_rate
  every service: grpc_server_handled_total{grpc_method="..."} and the rest of the gRPC server metrics
  (HTTP port = gRPC port + 1000); service logs in $RUN_DIR/logs
Finished in $(elapsed).
EOF
echo "demo job=$job model=$model:$model_version test_accuracy=$accuracy"
