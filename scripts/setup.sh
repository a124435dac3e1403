#!/usr/bin/env bash
# Install qcc's Debian 12 build/test dependencies and build it (idempotent).
#   bash scripts/setup.sh
# - apt: skipped when every package is already installed (so reruns are fast);
#   uses sudo only when not root.
# - cmake: configures build/ with Ninja + clang-22 + lld only if build/build.ninja is missing.
# - ninja -C build.
set -e -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  libonnx-dev python3-onnx libonnx-testdata python3-numpy python3-torch
  libopenblas0-pthread python3-torchvision ninja-build cmake protobuf-compiler
  libprotobuf-dev python3-sklearn
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross
  binutils-aarch64-linux-gnu qemu-user
  python3-venv python3-setuptools python3-wheel
)

SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO=(sudo); fi
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} Debian packages already installed"
else
  echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "setup: error: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
    SUDO=(sudo)
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${PACKAGES[@]}"
fi

if [ ! -f build/build.ninja ]; then
  echo "setup: configuring build/ (cmake, Ninja, clang-22, lld)"
  cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 -DLLVM_ENABLE_LLD=ON
else
  echo "setup: build/ already configured"
fi

# ONNX Runtime, the reference runtime and benchmark peer, from npm. Its
# install script only fetches optional GPU binaries, so it is skipped; the
# CPU library ships in the package.
ORT_VERSION=1.20.1
if [ ! -f build/ort/node_modules/onnxruntime-node/package.json ]; then
  if ! command -v npm >/dev/null; then
    echo "setup: installing nodejs and npm"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends nodejs npm
  fi
  echo "setup: installing onnxruntime-node@$ORT_VERSION into build/ort"
  mkdir -p build/ort
  npm install --prefix build/ort --ignore-scripts --no-audit --no-fund \
    "onnxruntime-node@$ORT_VERSION" > build/ort/npm.log 2>&1 || {
      cat build/ort/npm.log; exit 1; }
fi

echo "setup: building (ninja -C build)"
ninja -C build
echo "setup: done: build/bin/qcc, build/bin/qcc-run"
