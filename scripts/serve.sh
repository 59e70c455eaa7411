#!/usr/bin/env bash
# Install (first run only) and serve the web chat on the offline default backend: http://127.0.0.1:7860/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/assistant serve "$@"
