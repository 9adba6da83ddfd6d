# Cauchy — the commands a newcomer needs: `make demo` (the whole platform at work: import Fashion-MNIST, train, evaluate,
# register, promote; 11 minutes on an idle 2-core machine, up to 30 under load, see docs/benchmarks.md), `make up` / `make down` and `make test`.
# Every target installs what it needs through `make deps`, which is idempotent and fails loudly.

SHELL := /bin/bash
CONFIG ?= Release
SLN := cauchy-k8s.sln
# The five services and the CLI, not the tests: what `make up` and `make demo` run.
PLATFORM := cauchy-platform.slnf
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all deps build build-platform test test-faults bench-load format-check up down status demo k8s-manifests images k8s-smoke bench-grpc bench-datasets bench-orchestrator clean format bench-train bench-train-accuracy bench-metrics

all: build

## deps: Debian packages and npm tools the build and tests need (idempotent).
deps:
	@scripts/deps.sh

## build: the whole solution.
build: deps
	$(DOTNET) build $(SLN) -c $(CONFIG) -nologo -clp:NoSummary -v:q

## build-platform: only the five services and the CLI ($(PLATFORM)), what `make up` starts and `make demo` runs.
build-platform: deps
	$(DOTNET) build $(PLATFORM) -c $(CONFIG) -nologo -clp:NoSummary -v:q

## test: the formatting check (.editorconfig), then every test project; ends with a line "tests: N passed, N failed, N skipped".
test: build format-check
	@scripts/test.sh $(CONFIG)

## test-faults: only the reliability suite (tests/Cauchy.Reliability.Tests, also part of `make test`): every service as its
## own process, PostgreSQL and an S3 server; kill -9 of each service under load, database and S3 restarts, a full disk,
## an orchestrator outage longer than a lease. About 5 minutes on a 2-core machine, 11 when it is heavily shared.
test-faults: deps
	$(DOTNET) build tests/Cauchy.Reliability.Tests -c $(CONFIG) -nologo -clp:NoSummary -v:q
	$(DOTNET) test tests/Cauchy.Reliability.Tests -c $(CONFIG) --no-build --nologo --blame-hang-timeout 10m --logger "console;verbosity=normal"

## format-check: fails when `make format` would change a file (formatting, import order, the .editorconfig rules).
format-check:
	$(DOTNET) format $(SLN) --verify-no-changes -v q

## up: start the five services as separate processes on loopback; waits until each is healthy. Builds only the
## services and the CLI (build-platform), not the tests.
up: build-platform
	@scripts/up.sh $(CONFIG)

## demo: the main command. Installs, builds the services and the CLI (cauchy-platform.slnf), starts the platform
## (reusing one that runs), imports Fashion-MNIST, trains the small CNN for 3 epochs while `cauchy jobs watch` draws
## its curves, shows the test evaluation, promotes the model and says where to look next. The platform stays up
## (`make down`). Last line: demo job=<id> model=<name>:<version> test_accuracy=<a>.
demo:
	@scripts/demo.sh $(CONFIG)

## down: stop exactly the processes `make up` started.
down:
	@scripts/down.sh

status:
	@scripts/up.sh --status

## bench-grpc: the services' gRPC stack (Grpc.AspNetCore, Grpc.Net.Client) against grpc-js on loopback (see docs/benchmarks.md).
bench-grpc: deps
	$(DOTNET) build bench/Cauchy.Grpc.Bench -c Release -nologo -clp:NoSummary -v:q
	$(DOTNET) bench/Cauchy.Grpc.Bench/bin/Release/net10.0/Cauchy.Grpc.Bench.dll

## bench-datasets: import Fashion-MNIST through the Datasets gRPC API and stream it back from shards (docs/benchmarks.md).
bench-datasets: deps
	$(DOTNET) build bench/Cauchy.Datasets.Bench -c Release -nologo -clp:NoSummary -v:q
	$(DOTNET) bench/Cauchy.Datasets.Bench/bin/Release/net10.0/Cauchy.Datasets.Bench.dll

## bench-orchestrator: SubmitJob latency, 20 concurrent clients x 10 jobs with retries (see docs/benchmarks.md).
bench-orchestrator: deps
	$(DOTNET) build bench/Cauchy.Orchestrator.Bench -c Release -nologo -clp:NoSummary -v:q
	$(DOTNET) bench/Cauchy.Orchestrator.Bench/bin/Release/net10.0/Cauchy.Orchestrator.Bench.dll

## bench-metrics: COCO evaluation: the reference cases against pycocotools' answers, the largest one timed, and a
## synthetic 5,000-image, 200,000-detection case (see docs/benchmarks.md).
bench-metrics: deps
	$(DOTNET) build bench/Cauchy.Metrics.Bench -c Release -nologo -clp:NoSummary -v:q
	$(DOTNET) bench/Cauchy.Metrics.Bench/bin/Release/net10.0/Cauchy.Metrics.Bench.dll

## bench-load: the platform as `make up` starts it (its own ports and run folder), driven for 3 minutes at a steady rate
## with a mix of reads, tiny jobs, imports, watches, log streams and evaluations; p50/p99 per RPC, errors, each
## service's RSS at start and end; ends with "load calls_per_s=<x> errors=<n> p99_ms=<y> rss_growth_mib=<z>".
## Options: make bench-load BENCH_LOAD_ARGS="--seconds 600 --reads-per-second 20" (see docs/benchmarks.md).
bench-load: build-platform
	$(DOTNET) build bench/Cauchy.Load.Bench -c Release -nologo -clp:NoSummary -v:q
	$(DOTNET) bench/Cauchy.Load.Bench/bin/Release/net10.0/Cauchy.Load.Bench.dll --config $(CONFIG) $(BENCH_LOAD_ARGS)

## bench-train: our engine against PyTorch (same libtorch; with glibc's malloc defaults and with our shim's malloc
## thresholds) training the small CNN and ResNet-18 on Fashion-MNIST, then a resident-memory trace; ends with
## "train small_cnn_ratio_vs_pytorch=.. resnet18_ratio_vs_pytorch=..".
## Options: make bench-train BENCH_TRAIN_ARGS="--rounds 7 --rss-steps 5000" (see docs/benchmarks.md).
bench-train: deps
	$(DOTNET) build bench/Cauchy.Train.Bench -c Release -nologo -clp:NoSummary -v:q
	$(DOTNET) bench/Cauchy.Train.Bench/bin/Release/net10.0/Cauchy.Train.Bench.dll $(BENCH_TRAIN_ARGS)

## bench-train-accuracy: the small CNN's Fashion-MNIST test accuracy after 3 epochs on the CPU; fails below 0.91.
bench-train-accuracy: deps
	$(DOTNET) build bench/Cauchy.Train.Bench -c Release -nologo -clp:NoSummary -v:q
	$(DOTNET) bench/Cauchy.Train.Bench/bin/Release/net10.0/Cauchy.Train.Bench.dll --accuracy

## k8s-manifests: regenerate the plain manifests in k8s/ (a kustomize base and overlays) from charts/cauchy.
k8s-manifests: deps
	@scripts/k8s-manifests.sh

## images: one OCI image per service and one for the CLI (localhost/cauchy/<name>:latest), built with podman as root
## from Debian packages (mmdebstrap), no registry and no Docker daemon; also the S3 stand-in the install test uses.
## Root file systems are cached in .cache/images. `scripts/images.sh trainer` builds one. Sizes: docs/deploy.md.
images:
	@scripts/images.sh

## k8s-smoke: the install test on podman: renders charts/cauchy for the local profile, runs it with `podman kube play`,
## imports a dataset, trains, evaluates, registers and downloads a model through the CLI, kills a trainer mid-job and
## sees the job resume in another, then tears everything down. Ends with "k8s-smoke: PASS" or "k8s-smoke: FAIL ...".
k8s-smoke: images build-platform
	@scripts/k8s-smoke.sh $(CONFIG)

## format: applies .editorconfig's formatting and style rules to every project.
format:
	$(DOTNET) format $(SLN)

clean:
	$(DOTNET) clean $(SLN) -c $(CONFIG) -v:q
	rm -rf .run
