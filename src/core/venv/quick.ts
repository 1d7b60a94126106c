import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE, findRepoRoot } from '../root.js';
import { evaluateMarker, type Marker, readMarker, type Staleness, toolVersion } from './marker.js';

/**
 * The no-op path: decide "ready" from a few file reads, without parsing the declaration
 * (no TOML parser, no zod) and without starting Python. The venv path is guessed from the
 * declaration's text; the guess is only trusted when the marker found there was written
 * for this exact declaration (its bytes are one of the marker's inputs), so a wrong guess
 * costs a slow path, never a wrong answer.
 */

export interface QuickCheck {
  root: string | undefined;
  /** The guessed venv path (undefined when there is no declaration to read). */
  venv: string | undefined;
  marker: Marker | undefined;
  staleness: Staleness | undefined;
  /**
   * A killed sync's leftovers beside the venv (its lock file, the old venv of a rebuild):
   * `sync` takes the slow path to clear them even when the venv is ready.
   */
  leftovers: boolean;
}

/** The environment lock or a rebuild's trash beside `venv` (one directory read). */
export function hasLeftoversBeside(venv: string): boolean {
  const base = path.basename(venv);
  try {
    return readdirSync(path.dirname(venv)).some(
      (entry) => entry === `${base}.lock` || entry.startsWith(`${base}.onevenv-trash-`),
    );
  } catch {
    return false;
  }
}

/** `venv = "…"` in `[tool.onevenv]`, for simple spellings only; undefined when unsure. */
export function guessVenvSetting(text: string): string | undefined | null {
  const lines = text.split(/\r?\n/);
  let inTable = false;
  let found: string | undefined;
  for (const line of lines) {
    const header = /^\s*\[\s*([^\]]*?)\s*\]\s*(#.*)?$/.exec(line);
    if (header) {
      inTable = header[1] === 'tool.onevenv';
      continue;
    }
    if (/^\s*\[\[/.test(line)) {
      inTable = false;
      continue;
    }
    if (/^\s*tool\s*\.\s*onevenv\b/.test(line) || /^\s*onevenv\s*[.=]/.test(line)) return null;
    if (!inTable) continue;
    const match = /^\s*venv\s*=\s*(?:"([^"\\]*)"|'([^']*)')\s*(#.*)?$/.exec(line);
    if (match) {
      found = match[1] ?? match[2];
      continue;
    }
    if (/^\s*["']?venv["']?\s*=/.test(line)) return null;
  }
  return found;
}

/**
 * The repository root with symlinks resolved: the marker records absolute paths, and a
 * repository reached through a symlink must not look like another place (a rebuild).
 */
export function canonicalRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

export function quickCheck(cwd: string, options: { frozen: boolean }): QuickCheck {
  const found = findRepoRoot(cwd);
  const root = found === undefined ? undefined : canonicalRoot(found);
  const none = {
    root,
    venv: undefined,
    marker: undefined,
    staleness: undefined,
    leftovers: false,
  };
  if (!root) return none;
  const configPath = path.join(root, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch {
    return none;
  }
  const setting = guessVenvSetting(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (setting === null) return none;
  const venv = path.resolve(path.dirname(configPath), setting ?? '.venv');
  const leftovers = hasLeftoversBeside(venv);
  const read = readMarker(venv);
  if (read.kind !== 'ok') {
    return { root, venv, marker: undefined, staleness: undefined, leftovers };
  }
  const marker = read.marker;
  if (!(configPath in marker.inputs)) {
    return {
      root,
      venv,
      marker,
      staleness: { ready: false, reasons: [`the marker was not written for ${CONFIG_FILE}`] },
      leftovers,
    };
  }
  const staleness = evaluateMarker(marker, {
    toolVersion: toolVersion(),
    venv,
    frozen: options.frozen,
    display: (file) => path.relative(root, file).split(path.sep).join('/') || '.',
  });
  return { root, venv, marker, staleness, leftovers };
}
