#!/usr/bin/env bash
# Packs, into .device/ (ignored by git), what scripts/device/gpu-bench.sh needs on a GPU machine, which has
# a CUDA PyTorch but no .NET: the .NET runtime (dotnet, host, Microsoft.NETCore.App; about 30 MB as xz), the
# framework-dependent `dotnet publish` of bench/Cauchy.Train.Bench, and the first $CAUCHY_DEVICE_IMAGES (20000)
# Fashion-MNIST training images re-written as gzipped IDX files (kept under 64 MiB in all, so the folder is quick to
# copy). Then run scripts/device/gpu-bench.sh on the GPU machine with .device/ beside the working tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
images=${CAUCHY_DEVICE_IMAGES:-20000}
out=.device
rm -rf "$out"
mkdir -p "$out/fashion-mnist"

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
# The newest installed 10.0 runtime: the one the bench (net10.0) rolls forward to here.
runtime=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | grep '^10\.' | sort -V | tail -1)
[[ -n "$runtime" ]] || { echo "pack: no Microsoft.NETCore.App 10.x under $dotnet_root" >&2; exit 1; }
tar -C "$dotnet_root" -cf - dotnet host "shared/Microsoft.NETCore.App/$runtime" | xz -T0 -6 > "$out/dotnet-runtime.tar.xz"

dotnet publish bench/Cauchy.Train.Bench -c Release -o "$out/bench" -nologo -v:q -clp:NoSummary

python3 - "$images" "$out/fashion-mnist" <<'PY'
import gzip, struct, sys
count, target = int(sys.argv[1]), sys.argv[2]
source = "/usr/share/datasets/fashion-mnist"
for name, item in (("train-images-idx3-ubyte", 28 * 28), ("train-labels-idx1-ubyte", 1)):
    with gzip.open(f"{source}/{name}.gz", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = list(struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims]))
    if count > shape[0]:
        sys.exit(f"pack: only {shape[0]} images in {source}")
    shape[0] = count
    header = data[:4] + struct.pack(">" + "I" * dims, *shape)
    body = data[4 + 4 * dims:4 + 4 * dims + count * item]
    with gzip.open(f"{target}/{name}.gz", "wb", compresslevel=9) as f:
        f.write(header + body)
PY

echo "pack: $out holds runtime $runtime, the published bench and $images training images:"
du -sh "$out"/* "$out"
