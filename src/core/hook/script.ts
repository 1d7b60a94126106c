/**
 * The post-checkout hook `onevenv hook install` writes. POSIX sh and git only, so it works
 * where Node is absent; the work itself is python/setup.sh's, which needs only python3.
 */

export const HOOK_NAME = 'post-checkout';
/** An existing hook is moved here and run first, so installing never drops someone's hook. */
export const CHAINED_SUFFIX = '.onevenv-chained';
/** The line that identifies a hook as ours (to update or uninstall it). */
export const HOOK_SIGNATURE = '# onevenv post-checkout hook';

export interface HookSettings {
  /** Repo-relative files whose change between two commits means the venv needs work. */
  watched: string[];
  /** Repo-relative path of the bootstrap script. */
  setupScript: string;
}

function shWord(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function renderHook(settings: HookSettings): string {
  const watched = settings.watched.map(shWord).join(' ');
  const setup = shWord(settings.setupScript);
  return `#!/bin/sh
${HOOK_SIGNATURE} (written by 'onevenv hook install'; 'onevenv hook uninstall'
# puts back what was here). A new worktree, or a checkout that changes the Python lock,
# gets its venv brought up to date by ${settings.setupScript}. ONEVENV_HOOK=0 skips it.
status=0
chained="$0${CHAINED_SUFFIX}"
if [ -x "$chained" ]; then
  "$chained" "$@" || status=$?
fi
# $3 is 1 for a branch checkout (git worktree add, git switch), 0 for a file checkout.
if [ "$3" != 1 ] || [ "\${ONEVENV_HOOK:-1}" = 0 ]; then exit "$status"; fi
root=$(git rev-parse --show-toplevel) || exit "$status"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
cd "$root" || exit "$status"
[ -f ${setup} ] || exit "$status"
case "$1" in
*[!0]*)
  # Between two commits (not a new worktree): only when the environment's inputs differ.
  if git diff --quiet "$1" "$2" -- ${watched}; then exit "$status"; fi
  ;;
esac
echo "onevenv: running ${settings.setupScript} (post-checkout)" >&2
if ! sh ${setup}; then
  echo "onevenv: ${settings.setupScript} failed; run it in $root to see why" >&2
  [ "$status" != 0 ] || status=1
fi
exit "$status"
`;
}

export function isOnevenvHook(text: string): boolean {
  return text.includes(`\n${HOOK_SIGNATURE} `);
}
