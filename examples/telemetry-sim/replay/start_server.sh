#!/usr/bin/env bash
# Start the replay server (creates its own venv on first run).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -d .venv ]; then
  python3 -m venv .venv
fi
source .venv/bin/activate
pip install -q -e ".[test]"

# msd_reader is built by CMake into the build directory.
export PYTHONPATH="../build/debug/python:${PYTHONPATH:-}"
if ! python3 -c "import msd_reader" 2>/dev/null; then
  echo "msd_reader is not built: run cmake --preset debug && cmake --build --preset debug" >&2
  exit 1
fi

exec uvicorn replay.app:app --host "${REPLAY_HOST:-127.0.0.1}" --port "${REPLAY_PORT:-8765}"
