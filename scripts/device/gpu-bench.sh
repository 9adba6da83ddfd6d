#!/usr/bin/env bash
# The GPU check, in one step on a GPU machine (CUDA PyTorch in python3, CMake, nvcc; no .NET). On the build
# machine first: scripts/device/pack.sh. Then, on the GPU machine, in a copy of the working tree with .device/ beside
# it, from the repository root (about 5 minutes):
#   bash scripts/device/gpu-bench.sh
# It (1) builds the Cauchy.Torch shim from the tracked sources against that python3's CUDA libtorch, unchanged
# (without OpenCV unless its development files are there: the benchmark decodes nothing), (2) runs the bench's
# --cuda-check (the binding sees the GPU; round trip; mixed devices raise; small-CNN logits, loss and gradient
# match the CPU), and (3) runs the training benchmark on cuda against PyTorch on the same GPU, at the CPU
# benchmark's batch sizes and at larger ones. Logs go to $OUT; the last lines are the summary for
# docs/benchmarks.md.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/gpu-bench}
mkdir -p "$out"
exec > >(tee "$out/gpu-bench.log") 2>&1
started=$SECONDS
step() { echo "== $(date -u +%T) (+$((SECONDS - started)) s) $*"; }
summary=()

step machine
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: not available"
echo "cores: $(nproc)"
python=$(command -v python3)
"$python" -c 'import torch; print("python3", torch.__file__, "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-")' \
  || { echo "gpu-bench: python3 has no usable torch"; exit 1; }

step ".NET runtime from .device"
[[ -f .device/dotnet-runtime.tar.xz && -d .device/bench ]] || { echo "gpu-bench: .device is missing; run scripts/device/pack.sh here and carry .device"; exit 1; }
rm -rf /tmp/dotnet && mkdir -p /tmp/dotnet && tar -C /tmp/dotnet -xJf .device/dotnet-runtime.tar.xz
export DOTNET_ROOT=/tmp/dotnet PATH=/tmp/dotnet:$PATH DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
dotnet --list-runtimes

step "shim against the CUDA libtorch"
prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
# OpenCV when its development files are there, unless CAUCHY_TORCH_WITH_OPENCV=ON|OFF says otherwise.
opencv=${CAUCHY_TORCH_WITH_OPENCV:-}
if [[ -z "$opencv" ]]; then
  opencv=OFF
  if pkg-config --exists opencv4 2>/dev/null || compgen -G '/usr/lib/*/cmake/opencv4/OpenCVConfig.cmake' >/dev/null; then opencv=ON; fi
fi
echo "CMAKE_PREFIX_PATH=$prefix CAUCHY_TORCH_WITH_OPENCV=$opencv"
rm -rf /tmp/shim
if ! cmake -S services/shared/Cauchy.Torch/native -B /tmp/shim -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
     -DCAUCHY_TORCH_WITH_OPENCV=$opencv >"$out/shim-configure.log" 2>&1; then
  tail -60 "$out/shim-configure.log"; echo "gpu-bench: FAILED configuring the shim (log: shim-configure.log)"; exit 1
fi
grep -iE "cuda|torch" "$out/shim-configure.log" | grep -viE "^--   (Looking|Performing|Check)" | head -20
if ! cmake --build /tmp/shim --parallel "$(nproc)" >"$out/shim-build.log" 2>&1; then
  grep -m 40 -A8 "error" "$out/shim-build.log"; echo "gpu-bench: FAILED building the shim (log: shim-build.log)"; exit 1
fi
echo "built in $((SECONDS - started)) s since the start; warnings: $(grep -c 'warning:' "$out/shim-build.log")"
readelf -d /tmp/shim/libcauchy_torch.so | grep -E "NEEDED|RUNPATH|RPATH"
if readelf -d /tmp/shim/libcauchy_torch.so | grep -q 'libtorch_cuda'; then cuda_linked=yes; else cuda_linked=NO; fi
echo "libtorch_cuda among NEEDED: $cuda_linked (without it libtorch never loads its CUDA half)"
summary+=("shim: built unchanged against torch $("$python" -c 'import torch; print(torch.__version__)') (OpenCV $opencv; libtorch_cuda linked: $cuda_linked)")

rm -rf /tmp/bench && cp -r .device/bench /tmp/bench && cp /tmp/shim/libcauchy_torch.so /tmp/bench/
bench=(dotnet /tmp/bench/Cauchy.Train.Bench.dll --data .device/fashion-mnist --python "$python")

step "cuda-check"
timeout 120 "${bench[@]}" --cuda-check | tee "$out/cuda-check.log"
if [[ ${PIPESTATUS[0]} == 0 ]]; then summary+=("cuda-check: all passed"); else summary+=("cuda-check: FAILED: $(grep -c 'cuda-check FAIL' "$out/cuda-check.log") check(s), see above"); fi
if grep -q 'cuda-check FAIL available' "$out/cuda-check.log"; then
  step summary; summary+=("bench: not run, the shim sees no CUDA device"); printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"; exit 1
fi

run_bench() {
  local name=$1; shift
  step "bench-train on cuda: $name"
  local log="$out/bench-$name.log"
  timeout 240 "${bench[@]}" --device cuda --same-malloc 0 --rss-steps 0 "$@" | tee "$log"
  summary+=("$name ($*): $(grep -E '^train-cuda ' "$log" || echo 'no result line')")
}
run_bench default-batches --rounds 3 --small-steps 300 --resnet-steps 100
if (( SECONDS - started < 330 )); then
  run_bench large-batches --rounds 3 --small-steps 200 --small-batch 512 --resnet-steps 60 --resnet-batch 256
else
  summary+=("large-batches: skipped, $((SECONDS - started)) s gone")
fi

step summary
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
