import { existsSync, promises as fs, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { runProcess } from '../../util/exec.js';
import type { CheckContext } from './context.js';

/**
 * CMake build directories the dynamic checks read: those a `--build-dir` names, else the
 * ones CMake presets put their `binaryDir` in and the usual spots (`build`, `build/*`,
 * `out/build/*`, `cmake-build-*`, and the build directories `[tool.onevenv] paths` point
 * into) that hold a CMakeCache.txt; or, with `--configure`, a fresh configuration of the
 * project in a temporary directory with Ninja.
 */

export interface BuildDir {
  /** Absolute. */
  dir: string;
  /** Repo-relative (absolute outside the repository; a label for a temporary one). */
  shown: string;
  /** `CMakeCache.txt` entries: name → value. */
  cache: Map<string, string>;
  /** A temporary directory made by `--configure`. */
  temporary: boolean;
  /** Configuring failed (`--configure`): what cmake said. */
  error?: string;
}

export const CONFIGURED_LABEL = 'configured build (--configure)';

/** `NAME:TYPE=VALUE` lines; comments (`//`, `#`) skipped. */
export function parseCMakeCache(text: string): Map<string, string> {
  const cache = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '' || line.startsWith('//') || line.startsWith('#')) continue;
    const match = /^("[^"]*"|[^:=]+)(?::[^=]*)?=(.*)$/.exec(line);
    if (!match) continue;
    cache.set(match[1]!.replace(/^"|"$/g, ''), match[2]!);
  }
  return cache;
}

export async function readCMakeCache(dir: string): Promise<Map<string, string> | undefined> {
  try {
    return parseCMakeCache(await fs.readFile(path.join(dir, 'CMakeCache.txt'), 'utf8'));
  } catch {
    return undefined;
  }
}

interface ConfigurePreset {
  name?: unknown;
  hidden?: unknown;
  inherits?: unknown;
  binaryDir?: unknown;
  generator?: unknown;
  environment?: unknown;
}

interface PresetEntry {
  preset: ConfigurePreset;
  file: string;
}

const HOST_SYSTEM: Record<string, string> = { linux: 'Linux', darwin: 'Darwin', win32: 'Windows' };

function parents(entry: PresetEntry): string[] {
  const inherits = entry.preset.inherits;
  if (typeof inherits === 'string') return [inherits];
  if (Array.isArray(inherits)) return inherits.filter((v): v is string => typeof v === 'string');
  return [];
}

/** A field as the preset sees it: its own, else the first parent's (depth first), as CMake does. */
function inherited(
  name: string,
  field: 'binaryDir' | 'generator',
  byName: Map<string, PresetEntry>,
  seen: Set<string> = new Set(),
): string | undefined {
  if (seen.has(name)) return undefined;
  seen.add(name);
  const entry = byName.get(name);
  if (!entry) return undefined;
  const own = entry.preset[field];
  if (typeof own === 'string') return own;
  for (const parent of parents(entry)) {
    const value = inherited(parent, field, byName, seen);
    if (value !== undefined) return value;
  }
  return undefined;
}

function presetEnvironment(
  name: string,
  byName: Map<string, PresetEntry>,
  seen: Set<string> = new Set(),
): Record<string, string> {
  if (seen.has(name)) return {};
  seen.add(name);
  const entry = byName.get(name);
  if (!entry) return {};
  const merged: Record<string, string> = {};
  for (const parent of [...parents(entry)].reverse()) {
    Object.assign(merged, presetEnvironment(parent, byName, seen));
  }
  const own = entry.preset.environment;
  if (own && typeof own === 'object') {
    for (const [key, value] of Object.entries(own as Record<string, unknown>)) {
      if (typeof value === 'string') merged[key] = value;
    }
  }
  return merged;
}

/** Expands the macros of cmake-presets(7); undefined when one cannot be known here. */
export function expandPresetMacros(
  value: string,
  facts: {
    root: string;
    presetName: string;
    generator: string | undefined;
    fileDir: string;
    presetEnv: Record<string, string>;
    env: NodeJS.ProcessEnv;
  },
): string | undefined {
  let unknown = false;
  const out = value.replace(
    /\$(env|penv|vendor)?\{([^}]*)\}/g,
    (_, scope: string, name: string) => {
      if (scope === 'env') return facts.presetEnv[name] ?? facts.env[name] ?? '';
      if (scope === 'penv') return facts.env[name] ?? '';
      if (scope === 'vendor') {
        unknown = true;
        return '';
      }
      switch (name) {
        case 'sourceDir':
          return facts.root;
        case 'sourceParentDir':
          return path.dirname(facts.root);
        case 'sourceDirName':
          return path.basename(facts.root);
        case 'presetName':
          return facts.presetName;
        case 'generator':
          if (facts.generator === undefined) unknown = true;
          return facts.generator ?? '';
        case 'hostSystemName':
          return HOST_SYSTEM[process.platform] ?? process.platform;
        case 'fileDir':
          return facts.fileDir;
        case 'dollar':
          return '$';
        case 'pathListSep':
          return path.delimiter;
        default:
          unknown = true;
          return '';
      }
    },
  );
  return unknown ? undefined : out;
}

/** Absolute `binaryDir` of every visible configure preset that resolves. */
export async function presetBinaryDirs(root: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const entries: PresetEntry[] = [];
  for (const name of ['CMakePresets.json', 'CMakeUserPresets.json']) {
    let text: string;
    try {
      text = await fs.readFile(path.join(root, name), 'utf8');
    } catch {
      continue;
    }
    const data = parseJsonc(text, [], { allowTrailingComma: true }) as
      | { configurePresets?: unknown }
      | undefined;
    const presets = Array.isArray(data?.configurePresets) ? data.configurePresets : [];
    for (const preset of presets) {
      if (preset && typeof preset === 'object') {
        entries.push({ preset: preset as ConfigurePreset, file: path.join(root, name) });
      }
    }
  }
  const byName = new Map<string, PresetEntry>();
  for (const entry of entries) {
    if (typeof entry.preset.name === 'string') byName.set(entry.preset.name, entry);
  }
  const dirs: string[] = [];
  for (const [name, entry] of byName) {
    if (entry.preset.hidden === true) continue;
    const binaryDir = inherited(name, 'binaryDir', byName);
    if (binaryDir === undefined) continue;
    const expanded = expandPresetMacros(binaryDir, {
      root,
      presetName: name,
      generator: inherited(name, 'generator', byName),
      fileDir: path.dirname(entry.file),
      presetEnv: presetEnvironment(name, byName),
      env,
    });
    if (expanded === undefined || expanded === '') continue;
    dirs.push(path.resolve(root, expanded));
  }
  return dirs;
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/** The usual places people configure into. */
async function conventionalDirs(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of await subdirectories(root)) {
    const name = path.basename(dir);
    if (name === 'build' || /^(?:cmake-)?build[-_.]/i.test(name) || name === '_build') {
      out.push(dir, ...(await subdirectories(dir)));
    }
  }
  out.push(...(await subdirectories(path.join(root, 'out', 'build'))));
  return out;
}

/** The nearest directory at or above `dir` (inside the repository) with a CMakeCache.txt. */
function buildDirAbove(dir: string, root: string): string | undefined {
  let current = path.resolve(dir);
  while (current === root || current.startsWith(`${root}${path.sep}`)) {
    if (existsSync(path.join(current, 'CMakeCache.txt'))) return current;
    if (current === root) break;
    current = path.dirname(current);
  }
  return undefined;
}

function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

export async function collectBuildDirs(context: CheckContext): Promise<BuildDir[]> {
  const { root } = context;
  const options = context.options;
  const candidates: string[] = [];
  if (options.buildDirs) {
    candidates.push(...options.buildDirs);
  } else if (!options.configure) {
    candidates.push(...(await presetBinaryDirs(root, options.env)));
    candidates.push(...(await conventionalDirs(root)));
    for (const dir of context.config.paths) {
      const above = buildDirAbove(dir, root);
      if (above) candidates.push(above);
    }
  }
  const seen = new Set<string>();
  const dirs: BuildDir[] = [];
  for (const dir of candidates) {
    const real = realOrSelf(dir);
    if (seen.has(real)) continue;
    const cache = await readCMakeCache(dir);
    if (!cache) continue;
    seen.add(real);
    dirs.push({ dir, shown: context.display(dir), cache, temporary: false });
  }
  dirs.sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0));
  if (options.configure) dirs.push(await configureTemporary(context));
  return dirs;
}

/** `cmake -S <root> -B <temp> -G Ninja`: the build the listfiles describe now. */
async function configureTemporary(context: CheckContext): Promise<BuildDir> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-check-build-'));
  context.cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  const base: BuildDir = { dir, shown: CONFIGURED_LABEL, cache: new Map(), temporary: true };
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess('cmake', ['-S', context.root, '-B', dir, '-G', 'Ninja'], {
      cwd: context.root,
      env: context.options.env,
      timeoutMs: 600_000,
    });
  } catch (error) {
    return { ...base, error: `cmake could not be started: ${(error as Error).message}` };
  }
  if (result.code !== 0) {
    return { ...base, error: `cmake failed to configure the project:\n${configureError(result)}` };
  }
  return { ...base, cache: (await readCMakeCache(dir)) ?? new Map() };
}

/** The first `CMake Error` with the lines that explain it, else the last lines cmake printed. */
export function configureError(result: { stdout: string; stderr: string }): string {
  const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');
  const errors = lines(result.stderr);
  const first = errors.findIndex((line) => line.startsWith('CMake Error'));
  if (first !== -1) return errors.slice(first, first + 8).join('\n');
  return [...lines(result.stdout), ...errors].slice(-8).join('\n');
}
