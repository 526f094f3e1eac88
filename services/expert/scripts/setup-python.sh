#!/usr/bin/env bash
# Creates (or refreshes) the Python environments of the expert system. Idempotent: re-running only installs what
# is missing or changed.
#
# 1. services/expert/.venv: the workers' interpreter with clipspy (bundles CLIPS 6.4), pinned in
#    python/requirements.txt. Built from the system Python (/usr/bin/python3) when there is one, because sandboxed
#    workers run as an unprivileged user who must be able to run the interpreter (a pyenv Python under a 0700
#    /root is not); PYTHON=... overrides.
# 2. services/expert/test/oracle/.venv: the risk toolkit's own environment (python/toolkit-requirements.txt,
#    versions from the toolkit's README), used only by the oracle test that runs the toolkit beside the service.
#    It needs Python 3.8 (pandas 1.1.2 has no wheels for later versions): TOOLKIT_PYTHON=..., python3.8 on PATH
#    or a pyenv 3.8. Skipped with a message when none is found, or with BAI_EXPERT_SKIP_TOOLKIT_VENV=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

venv="$here/.venv"
python="${PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then python=/usr/bin/python3; else python=python3; fi
fi
base_home="$(dirname "$("$python" -c 'import os, sys; print(os.path.realpath(sys.executable))')")"
if [ -f "$venv/pyvenv.cfg" ] && ! grep -qx "home = $base_home" "$venv/pyvenv.cfg"; then
  echo "expert venv: rebuilding on $python (was $(grep '^home' "$venv/pyvenv.cfg"))"
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv \
  -r "$here/python/requirements.txt"
"$venv/bin/python" -c 'import clips; e = clips.Environment(); e.build("(deftemplate probe (slot x))"); print("clipspy ok")'

if [ "${BAI_EXPERT_SKIP_TOOLKIT_VENV:-0}" = 1 ]; then exit 0; fi
toolkit_python="${TOOLKIT_PYTHON:-}"
if [ -z "$toolkit_python" ]; then
  if command -v python3.8 >/dev/null 2>&1 && python3.8 -c 'pass' 2>/dev/null; then
    toolkit_python="$(command -v python3.8)"
  else
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.8*/bin/python3.8; do
      if [ -x "$candidate" ]; then toolkit_python="$candidate"; fi
    done
  fi
fi
if [ -z "$toolkit_python" ]; then
  echo "toolkit venv: no Python 3.8 found (set TOOLKIT_PYTHON); the toolkit oracle test cannot run" >&2
  exit 0
fi
toolkit_venv="$here/test/oracle/.venv"
if [ ! -x "$toolkit_venv/bin/python" ]; then
  "$toolkit_python" -m venv "$toolkit_venv"
fi
"$toolkit_venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv \
  -r "$here/python/toolkit-requirements.txt"
"$toolkit_venv/bin/python" -c 'import clips, pandas, flask; print("toolkit venv ok: clipspy", clips.__version__ if hasattr(clips, "__version__") else "", "pandas", pandas.__version__)'
