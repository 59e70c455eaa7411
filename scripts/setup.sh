#!/usr/bin/env bash
# Create .venv and install the project into it (idempotent; fast when already installed).
# Usage: bash scripts/setup.sh [EXTRAS]   e.g. bash scripts/setup.sh test,llm
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
spec="."
[ -n "$extras" ] && spec=".[${extras}]"
# One resolver run for everything: gradio[mcp] pins pydantic, and resolving it separately breaks chromadb's deps.
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"
# pip writes bytecode for site-packages but not for this editable checkout; where PYTHONDONTWRITEBYTECODE is set
# (as on these machines) every start would compile the assistant package again (~0.3 s of `assistant serve`).
.venv/bin/python -m compileall -q assistant
