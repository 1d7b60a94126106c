#!/usr/bin/env bash
# The peer onevenv is measured against: python/setup.sh as ticket 0065 (R2) specifies it,
# written the way a careful engineer would without onevenv. Run from the repository root.
#
#   - create python/.venv if it is missing (idempotent: an existing venv is reused)
#   - upgrade pip
#   - install python/requirements.txt (the same hashed lock onevenv installs; pip turns
#     on hash checking by itself when the file carries --hash lines)
#   - install the replay package in editable mode (pip install -e replay/)
#   - validate the environment with import checks
set -euo pipefail

ROOT="$(pwd)"
VENV="$ROOT/python/.venv"
PY="$VENV/bin/python3"

if [ ! -x "$PY" ]; then
  echo "Creating $VENV"
  python3 -m venv "$VENV"
fi

"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet -r "$ROOT/python/requirements.txt"
"$PY" -m pip install --quiet -e "$ROOT/replay"

# Every context's packages must import: traceability, MCP servers, build, replay, tests.
"$PY" -c "import tree_sitter, tree_sitter_cpp, fastmcp, pybind11, fastapi, uvicorn, pydantic, httpx, pytest, replay"
echo "python/.venv is ready"
