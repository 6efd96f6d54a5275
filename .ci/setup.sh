#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine of this kind (Debian 12, Python 3.11,
# root, PyPI and Debian's archive reachable). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

echo "== Python packages (CPU torch first, so nothing pulls a CUDA build)"
# PyTorch's documented CPU index, added to (not replacing) the configured ones: where it cannot
# be reached, pip warns, retries for about 10 s and takes torch from the other sources.
python -m pip install --quiet torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
python -m pip install --quiet -e ".[dev,postgres]"

echo "== Headless Chromium for the browser tests"
bash .ci/browser-deps.sh

echo "== LLM answerer test deps (llama.cpp server built from source, SmolLM2 GGUF)"
bash .ci/llm-deps.sh
