// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell text spells its variables ${name}.
import type { RewriteContext, RewriteResult, Rewriter } from '../../core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../core/scan/model.js';
import { listCommands } from './commands.js';
import { detectShellReferences } from './detect.js';
import { directoryAfter, pythonpathAfter } from './directory.js';
import { type EntryPath, planShellText } from './move-shell.js';
import { settle } from './settle.js';
import {
  composeWord,
  type Fragment,
  inDoubleQuotes,
  moveWord,
  relativePath,
  unquoteWhole,
} from './words.js';

/**
 * Shell scripts onto the unified venv (see readme.md, "Rewrite"): a venv creation becomes
 * a check that the venv exists (with the command that builds it), installs of what the
 * lock holds go, activation and interpreter paths name the unified venv, PYTHONPATH
 * entries the venv's .pth provides go. Paths are written relative to the directory the
 * script has moved to (`cd "$(dirname "$0")"`), or anchored at the script itself when it
 * runs wherever it is called from.
 */

/** A directory no repository has, standing for "wherever the script was started". */
const ELSEWHERE = Array.from({ length: 8 }, (_, i) => `\u0002${i}`).join('/');

function directoryOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash === -1 ? '' : file.slice(0, slash);
}

interface Directory {
  /** Repo-relative; for a script that never changes directory, its own directory. */
  cwd: string | null;
  /** True when the script itself moved there (`cd "$(dirname "$0")"`), not just started there. */
  established: boolean;
}

/**
 * Where a command at `offset` runs, read by the shared scanner as if the script had been
 * started in a directory of its own: a probe that still lands there means it never moved.
 */
function directoryAt(content: string, offset: number, file: string): Directory {
  const dir = directoryOf(file);
  const cwd = directoryAfter(content.slice(0, offset), {
    cwd: dir === '' ? ELSEWHERE : `${ELSEWHERE}/${dir}`,
    script: file,
  });
  if (cwd === undefined) return { cwd: null, established: false };
  if (cwd === ELSEWHERE) return { cwd: '', established: false };
  if (cwd.startsWith(`${ELSEWHERE}/`))
    return { cwd: cwd.slice(ELSEWHERE.length + 1), established: false };
  if (cwd.includes('\u0002')) return { cwd: null, established: false };
  return { cwd, established: true };
}

/** `"$(cd "$(dirname "$0")/.." && pwd)"`: the repository root, wherever the script is run from. */
function anchoredRoot(file: string, content: string): string {
  const self = /\bBASH_SOURCE\b/.test(content) ? '${BASH_SOURCE[0]}' : '$0';
  const dir = directoryOf(file);
  const up =
    dir === ''
      ? ''
      : `/${dir
          .split('/')
          .map(() => '..')
          .join('/')}`;
  return `$(cd "$(dirname "${self}")${up}" && pwd)`;
}

const ALWAYS_KNOWN = new Set(['0', 'BASH_SOURCE', 'PWD', 'PYTHONPATH']);
const VARIABLE_USE = /\$[({]?([A-Za-z_][A-Za-z0-9_]*|[0-9])/g;

/**
 * Variables whose value the script decides alone: assigned in it, never from themselves
 * (`${BUILD_DIR:-…}` lets the caller choose) and only from others it decides.
 */
function controlledVariables(content: string): Set<string> {
  const values = new Map<string, string[]>();
  for (const command of listCommands(content)) {
    for (const word of command.words) {
      const raw = content.slice(word.start, word.end);
      const match = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(raw);
      if (!match) continue;
      const list = values.get(match[1]!) ?? [];
      list.push(raw.slice(match[0].length));
      values.set(match[1]!, list);
    }
  }
  const controlled = new Set(values.keys());
  let changed = true;
  while (changed) {
    changed = false;
    for (const [name, list] of values) {
      if (!controlled.has(name)) continue;
      const uses = list.flatMap((value) => [...value.matchAll(VARIABLE_USE)].map((m) => m[1]!));
      if (uses.some((use) => use === name || (!controlled.has(use) && !ALWAYS_KNOWN.has(use)))) {
        controlled.delete(name);
        changed = true;
      }
    }
  }
  return controlled;
}

function rewriteScript(
  content: string,
  references: ScanReference[],
  context: RewriteContext,
): RewriteResult {
  const file = context.file;
  if (file === context.setupScript) {
    return {
      edits: [],
      skipped: references
        .filter((r) => !r.unified)
        .map((reference) => ({ reference, reason: `${file} builds the venv itself` })),
      notes: [],
    };
  }
  const unified = context.unifiedVenv;
  const envrc = file === '.envrc' || file.endsWith('/.envrc');
  const root = anchoredRoot(file, content);
  const anchored: Fragment = { text: `${root}/${inDoubleQuotes(unified)}`, expands: true };
  const directories = new Map<number, Directory>();
  const directory = (offset: number) => {
    let known = directories.get(offset);
    if (known === undefined) {
      known = directoryAt(content, offset, file);
      directories.set(offset, known);
    }
    return known;
  };
  const venvAt = (offset: number): Fragment => {
    const { cwd, established } = directory(offset);
    // direnv evaluates .envrc in its own directory.
    if (cwd !== null && (established || envrc))
      return { text: relativePath(cwd, unified), expands: false, relative: true };
    return anchored;
  };
  let controlled: Set<string> | undefined;
  const entryPath = (raw: string, offset: number): EntryPath => {
    const path = pythonpathAfter(content.slice(0, offset), raw, {
      cwd: directoryOf(file),
      script: file,
    });
    if (path === undefined) return { sure: false };
    controlled ??= controlledVariables(content);
    const uses = [...raw.matchAll(VARIABLE_USE)].map((m) => m[1]!);
    return { path, sure: uses.every((u) => ALWAYS_KNOWN.has(u) || controlled!.has(u)) };
  };
  const message = `${unified} is missing: run ${context.setupScript}`;
  const plan = planShellText(
    content,
    0,
    content.length,
    references.map((reference) => ({
      reference,
      start: reference.span.start,
      end: reference.span.end,
    })),
    {
      context,
      venvAt,
      absoluteVenvAt: () => anchored,
      creation: (offset, site) => {
        const venv = venvAt(offset);
        // The created path keeps what stands before it: `"$HERE/.venv"` → `"$HERE/../python/.venv"`.
        const target = site.reference.meta?.path;
        const { quote, body } = unquoteWhole(typeof target === 'string' ? target : '');
        const python =
          (body === ''
            ? undefined
            : moveWord(
                `${quote}${body}/bin/python3${quote}`,
                site.reference.environment,
                unified,
                () => venv,
              )) ?? composeWord(venv, '/bin/python3', '');
        return [`[ -x ${python} ] || { echo "${inDoubleQuotes(message)}" >&2; exit 1; }`];
      },
      creationReason: `venv creation → a check for ${unified} (built by ${context.setupScript})`,
      bareInterpreter: 'replace',
      bareFallback: '',
      entryPath,
    },
  );
  return settle(content, plan, (text) =>
    classifyReferences(
      detectShellReferences(text, file, { unifiedVenv: unified })?.references ?? [],
      unified,
    ),
  );
}

export const rewriter: Rewriter = { rewrite: rewriteScript };
