import { ENV_UNKNOWN } from '../../adapters/types.js';
import {
  describePath,
  type EnvironmentRef,
  environmentOfDir,
  environmentOfInterpreter,
  hasSeparator,
  hasUnknown,
  inBinDir,
  isPipName,
  isPythonName,
  isVenvLikeName,
  lastSegment,
  locate,
} from './paths.js';
import { UNKNOWN } from './tokenize.js';

/** Names people give variables that hold a venv directory. */
export const VENV_VARIABLE_NAME = /venv|virtual_?env/i;
/** Names people give variables that hold an interpreter (PYTHON, PY_BIN, PYTHON3_EXE, …). */
export const INTERPRETER_VARIABLE_NAME =
  /^(?:py|python3?)(?:_?(?:bin|exe|executable|cmd|command|interp|interpreter))?$/i;

const COMMAND_VARIABLE_NAME =
  /^(?:py|python3?|pip3?)(?:_?(?:bin|exe|executable|cmd|command|interp|interpreter))?$/i;

/**
 * Does the variable `name`, set to the expanded `value`, name a venv or an interpreter?
 * Its environment when it does (contains-variable when the value cannot be known).
 * Shared by shell assignments and Makefile variables so both read values alike.
 */
export function classifyVariable(
  name: string,
  value: string,
  cwd: string | null,
  active: EnvironmentRef | null = null,
): EnvironmentRef | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  // `PYTHON = .venv/bin/python -u`: the command is the first word, for names that say
  // they hold a command; any other value with spaces is text (a message, a flag list).
  const command = trimmed.split(/\s+/)[0]!;
  if (command !== trimmed && !COMMAND_VARIABLE_NAME.test(name)) return undefined;
  const last = lastSegment(command);
  const lastKnown = !hasUnknown(last);
  if (lastKnown && isPythonName(last)) return environmentOfInterpreter(command, cwd, active);
  if (lastKnown && isPipName(last) && hasSeparator(command) && inBinDir(command)) {
    return environmentOfInterpreter(command, cwd, active);
  }
  if (command === trimmed && lastKnown && (isVenvLikeName(last) || VENV_VARIABLE_NAME.test(name))) {
    return environmentOfDir(locate(trimmed, cwd));
  }
  if (VENV_VARIABLE_NAME.test(name) || INTERPRETER_VARIABLE_NAME.test(name)) {
    return hasUnknown(trimmed)
      ? { environment: ENV_UNKNOWN, skipReason: 'contains-variable' }
      : undefined;
  }
  return undefined;
}

export interface PythonpathFacts {
  /** Entries resolved repo-relative (absolute ones as written). */
  paths: string[];
  /** The value extends the existing PYTHONPATH. */
  appends: boolean;
  /** Some entry is built from a variable that cannot be resolved. */
  unresolved: boolean;
}

/** The entries of an expanded PYTHONPATH value; `variables` are the names it expands. */
export function pythonpathFacts(
  value: string,
  variables: readonly string[],
  cwd: string | null,
): PythonpathFacts {
  const paths: string[] = [];
  const appends = variables.includes('PYTHONPATH');
  let unresolved = false;
  for (const entry of value.split(':')) {
    if (entry === '') continue;
    if (hasUnknown(entry)) {
      // `$PYTHONPATH` itself is the existing value being extended, not a path of ours.
      if (entry === UNKNOWN && appends) continue;
      unresolved = true;
      continue;
    }
    paths.push(describePath(entry, entry, cwd));
  }
  return { paths, appends, unresolved };
}
