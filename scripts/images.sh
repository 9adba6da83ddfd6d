#!/usr/bin/env bash
# `make images`: one OCI image per service and one for the CLI, built with podman from Debian packages, with no
# registry and no Docker daemon (images/Containerfile, images/Containerfile.trainer), plus the two images the local
# install test needs beside them (`make k8s-smoke`): an S3 stand-in (s3rver on Debian's nodejs) and PostgreSQL.
#   scripts/images.sh [IMAGE...]   IMAGE: datasets orchestrator metrics registry trainer cli s3 postgresql (default: all)
# Root file systems come from `mmdebstrap --variant=extract` against the Debian mirror this machine's apt uses and
# are cached in .cache/images (git-ignored) until their package list changes; the .NET runtime is the installed
# dotnet folder's; each app is its framework-dependent `dotnet publish` output (linux-x64's native libraries only).
# The root file systems sit in the build context (.cache/images/context) beside the apps, where ADD reads them.
# Images are tagged localhost/cauchy/<name>:$CAUCHY_IMAGE_TAG (default latest), the chart's local-podman profile.
# Podman runs as root with images/containers.conf (runc, and ulimits this machine allows).
# A CUDA trainer: CAUCHY_TORCH_PREFIX=<a CUDA libtorch> scripts/images.sh trainer (see images/Containerfile.trainer).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CONTAINERS_CONF="$root/images/containers.conf"
TAG=${CAUCHY_IMAGE_TAG:-latest}
CONFIG=${CONFIG:-Release}
cache=.cache/images
ctx=$cache/context
all=(datasets orchestrator metrics registry trainer cli s3 postgresql)
wanted=("$@"); [ ${#wanted[@]} -gt 0 ] || wanted=("${all[@]}")
for w in "${wanted[@]}"; do
  [[ " ${all[*]} " == *" $w "* ]] || { echo "images: unknown image '$w' (one of: ${all[*]})" >&2; exit 2; }
done

scripts/deps.sh --images
[ "$(id -u)" -eq 0 ] || { echo "images: podman runs as root here (rootless podman cannot use this machine's cgroups); run as root" >&2; exit 1; }

# The Debian mirror apt uses (deb822 .sources or a one-line sources.list).
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
[ -n "$mirror" ] || { echo "images: no Debian mirror found in /etc/apt/sources.list*" >&2; exit 1; }

# libgssapi-krb5-2: Npgsql loads it at its first connection (Kerberos logins), and logs an error when it is missing.
base_packages=libc6,libgcc-s1,libstdc++6,libssl3,zlib1g,libicu72,libgssapi-krb5-2,tzdata,base-files,netbase
declare -A rootfs_packages=(
  [base]=$base_packages
  [trainer]=$base_packages,libtorch1.13,libopencv-core406,libopencv-imgproc406,libopencv-imgcodecs406
  [nodejs]=libc6,tzdata,base-files,netbase,nodejs
  [postgresql]=libc6,tzdata,base-files,netbase,dash,postgresql-15
)

# rootfs NAME: .cache/images/rootfs-NAME.tar, rebuilt only when its package list changes.
rootfs() {
  local name=$1 tar=$ctx/rootfs-$1.tar stamp=$ctx/rootfs-$1.packages
  if [ -f "$tar" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${rootfs_packages[$name]}" ]; then
    return
  fi
  echo "images: mmdebstrap rootfs-$name.tar (${rootfs_packages[$name]})"
  # mmdebstrap picks the output format from the file name, so the partial file also ends in .tar.
  rm -rf "$tar" "$ctx/rootfs-$name.part.tar"
  mmdebstrap --quiet --variant=extract --include="${rootfs_packages[$name]}" bookworm "$ctx/rootfs-$name.part.tar" "$mirror" \
    || { echo "images: FAILED: mmdebstrap rootfs-$name.tar" >&2; exit 1; }
  mv "$ctx/rootfs-$name.part.tar" "$tar"
  echo "${rootfs_packages[$name]}" >"$stamp"
}

# The shared runtimes from the dotnet that builds the apps, so the versions match.
runtime() {
  [ -d "$ctx/dotnet/shared" ] && return
  local dotnet_root
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  mkdir -p "$ctx/dotnet/host"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$ctx/dotnet/"
  cp -a "$dotnet_root/host/fxr" "$ctx/dotnet/host/"
  mkdir -p "$ctx/dotnet/shared"
  cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$ctx/dotnet/shared/"
}

# publish NAME PROJECT APPHOST: the app folder, with `entrypoint` linking to the apphost.
publish() {
  local name=$1 project=$2 apphost=$3 out=$ctx/app-$1
  echo "images: dotnet publish $project"
  rm -rf "$out"
  # Portable (no runtime identifier), so an unchanged project reuses `make build`'s output; native libraries for
  # other platforms are dropped below. Symbols stay out of the image (a property for that would also change the
  # projects' shared build outputs).
  dotnet publish "$project" -c "$CONFIG" --self-contained false -o "$out" -nologo -clp:NoSummary -v:q \
    || { echo "images: FAILED: dotnet publish $project" >&2; exit 1; }
  find "$out" -name '*.pdb' -delete
  if [ -d "$out/runtimes" ]; then
    find "$out/runtimes" -mindepth 1 -maxdepth 1 ! -name linux-x64 ! -name linux ! -name unix -exec rm -rf {} +
  fi
  ln -sf "$apphost" "$out/entrypoint"
}

labels=(--build-arg "VERSION=$TAG" --build-arg "REVISION=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")
build() {
  local name=$1; shift
  echo "images: podman build localhost/cauchy/$name:$TAG"
  podman build --quiet --layers -t "localhost/cauchy/$name:$TAG" "${labels[@]}" "$@" "$ctx" >/dev/null \
    || { echo "images: FAILED: podman build localhost/cauchy/$name" >&2; exit 1; }
}

mkdir -p "$ctx/empty"
declare -A projects=([datasets]="services/datasets Cauchy.Datasets" [orchestrator]="services/orchestrator Cauchy.Orchestrator"
  [metrics]="services/metrics Cauchy.Metrics" [registry]="services/registry Cauchy.Registry"
  [trainer]="services/trainer Cauchy.Trainer" [cli]="services/cli cauchy")
started=$SECONDS
for name in "${wanted[@]}"; do
  case $name in
    trainer)
      rootfs trainer; runtime
      rm -rf "$ctx/torch"; mkdir -p "$ctx/torch"
      variant=cpu
      if [ -n "${CAUCHY_TORCH_PREFIX:-}" ]; then
        cp -a "$CAUCHY_TORCH_PREFIX/lib/." "$ctx/torch/"
        variant=$(ls "$ctx/torch" | grep -q '^libtorch_cuda' && echo cuda || echo cpu)
      fi
      read -r project apphost <<<"${projects[$name]}"; publish "$name" "$project" "$apphost"
      build trainer -f images/Containerfile.trainer --build-arg "TORCH_VARIANT=$variant" ;;
    s3)
      rootfs nodejs
      rm -rf "$ctx/s3" && mkdir -p "$ctx/s3"
      cp -a tests/storage-node/server.js tests/storage-node/package.json "$ctx/s3/"
      [ -d tests/storage-node/node_modules/s3rver ] || scripts/deps.sh
      cp -a tests/storage-node/node_modules "$ctx/s3/"
      build s3 -f images/Containerfile.s3 ;;
    postgresql)
      rootfs postgresql
      cp images/postgresql-entrypoint.sh "$ctx/"
      build postgresql -f images/Containerfile.postgresql ;;
    *)
      rootfs base; runtime
      read -r project apphost <<<"${projects[$name]}"; publish "$name" "$project" "$apphost"
      build "$name" -f images/Containerfile --build-arg "SERVICE=$name" ;;
  esac
done
echo "images: built in $((SECONDS - started)) s:"
podman images --filter reference='localhost/cauchy/*' --format '{{.Repository}}:{{.Tag}} {{.Size}}' | sort
