#!/usr/bin/env bash
# Creates (or refreshes) tests/e2e/.venv with the API fuzzer the api-fuzz e2e runs (schemathesis, pinned in
# tests/e2e/python/requirements.txt). Same pattern as services/expert/scripts/setup-python.sh; idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv \
  -r "$here/python/requirements.txt"
"$venv/bin/st" --version
