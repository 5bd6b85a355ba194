#!/usr/bin/env bash
# Regenerate the pinned, hashed locks from pyproject.toml (the one source of truth):
#   requirements.txt      runtime (web, worker, beat; the Dockerfile installs it)
#   requirements-dev.txt  runtime + dev (tests, lint, types; `make test` installs it)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh requirements-dev.txt
uv=.venv/bin/uv
[ -x "$uv" ] || .venv/bin/python -m pip install --quiet "$(grep -o 'uv==[0-9.]*' pyproject.toml)"
export UV_PYTHON_DOWNLOADS=never  # resolve with the venv's Python; never fetch an interpreter
common=(--quiet --generate-hashes --universal --python-version 3.12 --python .venv/bin/python
        --custom-compile-command "make lock")
"$uv" pip compile pyproject.toml "${common[@]}" -o requirements.txt
"$uv" pip compile pyproject.toml --extra dev "${common[@]}" -o requirements-dev.txt
echo "requirements.txt: $(grep -c '^[A-Za-z].*==' requirements.txt) pins;" \
     "requirements-dev.txt: $(grep -c '^[A-Za-z].*==' requirements-dev.txt) pins"
