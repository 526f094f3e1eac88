#!/usr/bin/env bash
# Creates (or refreshes) the Python venv the expert workers run in: services/expert/.venv with clipspy,
# which bundles CLIPS 6.4 in its wheel. Idempotent: re-running only installs what is missing or changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv \
  -r "$here/python/requirements.txt"
"$venv/bin/python" -c 'import clips; e = clips.Environment(); e.build("(deftemplate probe (slot x))"); print("clipspy ok")'
