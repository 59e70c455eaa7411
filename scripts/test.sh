#!/usr/bin/env bash
# Install everything the tests need (project, test tools, a browser) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test,llm
if [ -f scripts/browser-deps.sh ]; then bash scripts/browser-deps.sh; fi
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False NO_PROXY=127.0.0.1,localhost
exec .venv/bin/python -m pytest -q "$@"
