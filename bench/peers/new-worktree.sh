#!/bin/sh
# P3: a new worktree made ready the way a user does it: git worktree add, then
# onevenv sync (which builds python/.venv from the lock; the import check of these inputs passed in P2).
# usage: new-worktree.sh REPO NEW-WORKTREE ONEVENV-CLI
set -eu
git -C "$1" worktree add -q --detach "$2"
cd "$2"
exec node "$3" sync
