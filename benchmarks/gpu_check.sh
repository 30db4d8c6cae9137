#!/usr/bin/env bash
# The inference benchmark on a CUDA GPU: builds the CUDA variants of the runtimes in their own
# environment (llama-cpp-python compiled with -DGGML_CUDA=on, onnxruntime-gpu, CUDA torch), then runs
# benchmarks/bench_inference.py --device cuda on the random-weight Qwen2.5-VL-3B shapes and prints
# per-stage times with the GPU's measured bf16/int8 GEMM and memory peaks.
#
#   bash benchmarks/gpu_check.sh                 # ~20 min the first time (llama.cpp's CUDA build), then minutes
#   PHOTOS=5 RUNTIMES=gguf-engine,transformers-bf16 bash benchmarks/gpu_check.sh
#
# Needs: nvidia-smi and the CUDA toolkit (nvcc) on the PATH, Python 3.11, ~25 GB of disk for the model files.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv-gpu}
PHOTOS=${PHOTOS:-5}
RUNTIMES=${RUNTIMES:-gguf-engine,gguf-engine-f16proj,gguf-engine@144,gguf-engine@64,transformers-bf16,transformers-fp32}
TORCH=$(sed -n 's/^TORCH ?= //p' Makefile)
TORCHVISION=$(sed -n 's/^TORCHVISION ?= //p' Makefile)
LLAMA=$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
command -v nvcc >/dev/null || { echo "nvcc not found: llama.cpp's CUDA build needs the CUDA toolkit" >&2; exit 1; }
test -x "$VENV/bin/python" || python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# PyPI's Linux torch wheels are the CUDA builds
"$VENV/bin/python" -m pip install --quiet "torch==$TORCH" "torchvision==$TORCHVISION"
"$VENV/bin/python" -m pip install --quiet -e '.[train,export]' tokenizers
"$VENV/bin/python" -m pip uninstall --quiet --yes onnxruntime 2>/dev/null || true
"$VENV/bin/python" -m pip install --quiet onnxruntime-gpu
if ! "$VENV/bin/python" -c 'import llama_cpp, sys; sys.exit(0 if llama_cpp.llama_supports_gpu_offload() else 1)' 2>/dev/null; then
    CMAKE_ARGS="-DGGML_CUDA=on" "$VENV/bin/python" -m pip install --quiet --force-reinstall --no-cache-dir --no-binary llama-cpp-python \
        "llama-cpp-python==$LLAMA"
fi
"$VENV/bin/python" - <<'PY'
import llama_cpp, onnxruntime, torch
print("llama.cpp GPU offload:", bool(llama_cpp.llama_supports_gpu_offload()))
print("onnxruntime providers:", onnxruntime.get_available_providers())
print("torch CUDA:", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
PY
"$VENV/bin/python" benchmarks/bench_inference.py --prepare-only >/dev/null
"$VENV/bin/python" benchmarks/bench_inference.py --device cuda --photos "$PHOTOS" --runtimes "$RUNTIMES"
