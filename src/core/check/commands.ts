import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { isPythonName } from '../shell/paths.js';
import { type SimpleCommand, tokenizeShell, UNKNOWN } from '../shell/tokenize.js';

/**
 * Which interpreters a build command runs. The command lines come from the generated
 * build (`ninja -t commands`): CMake has already expanded every variable, so the words
 * are literal paths. They go through the one shell tokenizer of the project; this module
 * only follows `cd`, unwraps `env`, `cmake -E env|chdir|time`, the usual wrappers and
 * `sh -c`, and picks the programs that are Python.
 */

export interface Invocation {
  /** The program word as the command spells it. */
  program: string;
  /** Absolute path of the program; undefined for a bare name looked up on PATH. */
  resolved: string | undefined;
  /** The simple command (its words joined with spaces). */
  text: string;
}

const WRAPPERS = new Set(['exec', 'command', 'nohup', 'time', 'nice', 'timeout', 'stdbuf']);
const SHELLS = /^(?:ba|da|z|k)?sh$/;

function base(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1).replace(/\.exe$/i, '');
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

interface Walk {
  cwd: string;
  found: Invocation[];
  /** Is this absolute program inside a venv (a console script such as `.venv/bin/pytest`)? */
  inVenv: (file: string) => boolean;
  depth: number;
}

function resolveProgram(program: string, cwd: string): string | undefined {
  if (!program.includes('/')) return undefined;
  return path.resolve(cwd, program);
}

/** Words after the wrappers, `env` and `cmake -E` prefixes; updates the walk's cwd for `-C`. */
function unwrap(words: string[], walk: Walk): string[] {
  let rest = words;
  for (let guard = 0; guard < 16 && rest.length > 0; guard++) {
    while (rest.length > 0 && ASSIGNMENT.test(rest[0]!)) rest = rest.slice(1);
    const name = base(rest[0] ?? '');
    if (name === 'env') {
      let i = 1;
      while (i < rest.length) {
        const word = rest[i]!;
        if (word === '-u' || word === '--unset' || word === '-S') {
          i += 2;
        } else if (word === '-C' || word === '--chdir') {
          walk.cwd = path.resolve(walk.cwd, rest[i + 1] ?? '.');
          i += 2;
        } else if (word.startsWith('--chdir=')) {
          walk.cwd = path.resolve(walk.cwd, word.slice('--chdir='.length));
          i += 1;
        } else if (word.startsWith('-') || ASSIGNMENT.test(word)) {
          i += 1;
        } else {
          break;
        }
      }
      rest = rest.slice(i);
      continue;
    }
    if (/^cmake$/i.test(name) && rest[1] === '-E') {
      const tool = rest[2];
      if (tool === 'env') {
        let i = 3;
        while (i < rest.length && (rest[i]!.startsWith('-') || ASSIGNMENT.test(rest[i]!))) {
          if (rest[i] === '--') {
            i += 1;
            break;
          }
          i += 1;
        }
        rest = rest.slice(i);
        continue;
      }
      if (tool === 'chdir') {
        walk.cwd = path.resolve(walk.cwd, rest[3] ?? '.');
        rest = rest.slice(4);
        continue;
      }
      if (tool === 'time') {
        rest = rest.slice(3);
        continue;
      }
      return rest;
    }
    if (WRAPPERS.has(name)) {
      let i = 1;
      while (i < rest.length && rest[i]!.startsWith('-')) i += name === 'nice' ? 2 : 1;
      // `timeout 30 cmd`: the duration comes first.
      if (name === 'timeout' && i < rest.length) i += 1;
      rest = rest.slice(i);
      continue;
    }
    return rest;
  }
  return rest;
}

function visit(command: SimpleCommand, walk: Walk): void {
  const values = command.words.map((word) => word.value);
  if (values[0] === 'cd') {
    const target = values[1];
    if (target !== undefined && !target.includes(UNKNOWN))
      walk.cwd = path.resolve(walk.cwd, target);
    return;
  }
  const words = unwrap(values, walk);
  const program = words[0];
  if (program === undefined || program.includes(UNKNOWN)) return;
  const name = base(program);
  if (SHELLS.test(name)) {
    const flag = words.findIndex((word, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(word));
    const script = flag === -1 ? undefined : words[flag + 1];
    if (script !== undefined && walk.depth < 4) {
      walk.found.push(...scan(script, { ...walk, found: [], depth: walk.depth + 1 }));
    }
    return;
  }
  const resolved = resolveProgram(program, walk.cwd);
  const python = isPythonName(name);
  if (!python && (resolved === undefined || !walk.inVenv(resolved))) return;
  walk.found.push({ program, resolved, text: words.join(' ') });
}

function scan(text: string, walk: Walk): Invocation[] {
  tokenizeShell(text, {
    lookup: () => undefined,
    command: (command) => visit(command, walk),
    enterSubshell: () => {},
    leaveSubshell: () => undefined,
    scriptPath: () => undefined,
  });
  return walk.found;
}

/** A program inside `<venv>/bin` (or `Scripts`) of some venv. */
export function isInVenv(file: string): boolean {
  return existsSync(path.join(path.dirname(path.dirname(file)), 'pyvenv.cfg'));
}

/** The Python programs one command line runs, in order. `cwd`: where the line starts. */
export function pythonInvocations(
  commandLine: string,
  cwd: string,
  inVenv: (file: string) => boolean = isInVenv,
): Invocation[] {
  return scan(commandLine, { cwd, found: [], inVenv, depth: 0 });
}

function realOrNormal(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.normalize(file);
  }
}

/**
 * Does `program` (absolute) belong to the venv whose bin directory is `venvBin`? A venv's
 * python is a symlink to its base interpreter, so the program's own realpath would name
 * the base: the directory is compared (through symlinked parents), never the file.
 */
export function runsFromVenv(program: string, venvBin: string): boolean {
  const dir = path.dirname(program);
  return (
    path.normalize(dir) === path.normalize(venvBin) || realOrNormal(dir) === realOrNormal(venvBin)
  );
}
