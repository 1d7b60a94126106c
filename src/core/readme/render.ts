import path from 'node:path';
import type { OnevenvConfig } from '../config.js';
import { LOCK_FILE, OWN_FILES, SETUP_SCRIPT_FILE } from '../root.js';
import type { ScanReference } from '../scan/model.js';

/**
 * python/README.md: the authoritative setup guide, rendered from the declaration and the
 * consumers scan finds. Deterministic (the same inputs give the same bytes) so `onevenv
 * check` can regenerate it and compare.
 */

export interface ConsumerUse {
  /** As scan names it: 'CMake target trace-git', 'MCP server codebase'. */
  consumer: string;
  adapter: ScanReference['adapter'];
  /** Repo-relative files that configure it, sorted. */
  files: string[];
  /** Scripts it runs (repo-relative) and modules (`-m name`), sorted. */
  runs: string[];
  /** Extension modules it builds (CMake). */
  builds: string[];
  /** Every reference of it names the unified venv. */
  onVenv: boolean;
}

export interface ReadmeInput {
  /** Repo-relative, '/'-separated. */
  unifiedVenv: string;
  lockFile: string;
  configFile: string;
  setupScript: string;
  requiresPython: string | undefined;
  groups: Array<{ name: string; requirements: string[] }>;
  /** Repo-relative package directories. */
  editables: string[];
  /** Repo-relative directories put on sys.path. */
  paths: string[];
  /** Extension modules built by CMake, with the file that builds each. */
  extensionModules: Array<{ module: string; file: string }>;
  consumers: ConsumerUse[];
}

/** Adapters whose references are not consumers of the venv (prose, ignore rules, dependency files). */
const NOT_CONSUMERS: ReadonlySet<string> = new Set(['docs', 'gitignore', 'python-deps']);

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function relative(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/') || '.';
}

/**
 * The consumers of `references` (as scan reports them after adoption), leaving out
 * onevenv's own files under the config directory and file-level CMake findings that build
 * nothing.
 */
export function consumersOf(
  references: readonly ScanReference[],
  ownFiles: ReadonlySet<string>,
): ConsumerUse[] {
  const byName = new Map<
    string,
    {
      adapter: ScanReference['adapter'];
      files: Set<string>;
      runs: Set<string>;
      builds: Set<string>;
      onVenv: boolean;
    }
  >();
  for (const reference of references) {
    if (NOT_CONSUMERS.has(reference.adapter) || ownFiles.has(reference.file)) continue;
    const meta = reference.meta ?? {};
    const builds = Array.isArray(meta.extensionModules) ? meta.extensionModules : [];
    if (reference.consumer === `CMake ${reference.file}` && builds.length === 0) continue;
    let entry = byName.get(reference.consumer);
    if (!entry) {
      entry = {
        adapter: reference.adapter,
        files: new Set(),
        runs: new Set(),
        builds: new Set(),
        onVenv: true,
      };
      byName.set(reference.consumer, entry);
    }
    entry.files.add(reference.file);
    if (typeof meta.script === 'string') entry.runs.add(meta.script);
    if (typeof meta.module === 'string') entry.runs.add(`-m ${meta.module}`);
    for (const module of builds) entry.builds.add(module);
    // External interpreters and prose are not ours to move; anything else off the venv is.
    const exempt =
      reference.skipReason === 'external-interpreter' || reference.skipReason === 'documentation';
    if (!reference.unified && !exempt) entry.onVenv = false;
  }
  return [...byName]
    .map(([consumer, entry]) => ({
      consumer,
      adapter: entry.adapter,
      files: [...entry.files].sort(compareStrings),
      runs: [...entry.runs].sort(compareStrings),
      builds: [...entry.builds].sort(compareStrings),
      onVenv: entry.onVenv,
    }))
    .sort((a, b) => compareStrings(a.consumer, b.consumer));
}

/** The extension modules CMake builds (find_package meta), with the file that builds each. */
export function extensionModulesOf(
  references: readonly ScanReference[],
): Array<{ module: string; file: string }> {
  const out: Array<{ module: string; file: string }> = [];
  for (const reference of references) {
    if (reference.adapter !== 'cmake' || reference.kind !== 'find-package') continue;
    const modules = reference.meta?.extensionModules;
    if (!Array.isArray(modules)) continue;
    for (const module of modules) {
      if (!out.some((m) => m.module === module && m.file === reference.file)) {
        out.push({ module, file: reference.file });
      }
    }
  }
  return out;
}

/** The README's facts from the declaration as loaded and the consumers found. */
export function readmeInputOf(
  config: OnevenvConfig,
  consumers: ConsumerUse[],
  extensionModules: Array<{ module: string; file: string }>,
  names: { lockFile: string; setupScript: string },
): ReadmeInput {
  const groups = Object.keys(config.groups)
    .sort(compareStrings)
    .map((name) => ({
      name,
      requirements: (config.groups[name] ?? []).map((r) => r.raw.trim()),
    }));
  return {
    unifiedVenv: relative(config.root, config.venv),
    lockFile: names.lockFile,
    configFile: relative(config.root, config.configPath),
    setupScript: names.setupScript,
    requiresPython: config.requiresPython,
    groups,
    editables: config.editable.map((dir) => relative(config.root, dir)).sort(compareStrings),
    paths: config.paths.map((dir) => relative(config.root, dir)).sort(compareStrings),
    extensionModules: [...extensionModules].sort(
      (a, b) => compareStrings(a.module, b.module) || compareStrings(a.file, b.file),
    ),
    consumers,
  };
}

const WIDTH = 88;

/** Words of `text`, a `code span` with spaces in it kept as one. */
function words(text: string): string[] {
  const out: string[] = [];
  let inCode = false;
  for (const word of text.split(/ +/)) {
    if (inCode) out[out.length - 1] += ` ${word}`;
    else out.push(word);
    if ((word.split('`').length - 1) % 2 === 1) inCode = !inCode;
  }
  return out;
}

/** Fills `text` into lines of at most WIDTH columns (a longer word gets its own line). */
export function wrap(text: string, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words(text)) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = rest + word;
      continue;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

function item(text: string): string[] {
  return wrap(text, '- ', '  ');
}

function code(text: string): string {
  return `\`${text}\``;
}

function list(values: readonly string[]): string {
  const shown = values.map(code);
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function describeUse(use: ConsumerUse, interpreter: string, venv: string): string {
  const where = use.files.filter((file) => !use.consumer.endsWith(file));
  const head = `**${use.consumer}**${where.length > 0 ? ` (${where.map(code).join(', ')})` : ''}`;
  const runs = use.runs.length > 0 ? list(use.runs) : undefined;
  if (!use.onVenv) {
    let what = `runs ${runs ?? 'Python'}`;
    if (use.builds.length > 0) what = `builds ${list(use.builds)}`;
    else if (use.adapter === 'cmake-presets') what = 'configures CMake';
    return `${head}: ${what}, not with ${code(venv)} yet (\`npx onevenv scan\` shows what it uses).`;
  }
  if (use.builds.length > 0) {
    return `${head}: builds ${list(use.builds)} against the Python of ${code(venv)}, so the module matches its ABI.`;
  }
  switch (use.adapter) {
    case 'mcp-json':
      return `${head}: the MCP client starts ${runs ?? 'the server'} with ${code(interpreter)}.`;
    case 'cmake-presets':
      return `${head}: configures CMake with ${code(interpreter)}.`;
    case 'shell':
      return `${head}: runs ${runs ?? 'Python'} in ${code(venv)}.`;
    default:
      return `${head}: runs ${runs ?? 'Python'} with ${code(interpreter)}.`;
  }
}

export function renderReadme(input: ReadmeInput): string {
  const venv = input.unifiedVenv;
  const interpreter = `${venv}/bin/python3`;
  const setup = input.setupScript;
  const config = code(input.configFile);
  const lock = code(input.lockFile);
  const out: string[] = [];
  const raw = (...lines: string[]) => out.push(...lines);
  const paragraph = (text: string) => out.push(...wrap(text), '');
  const bullet = (text: string) => out.push(...item(text));
  const heading = (text: string) => out.push(`## ${text}`, '');
  const shell = (...lines: string[]) => out.push('```sh', ...lines, '```', '');

  raw(
    '# Python environment',
    '',
    `<!-- Generated by onevenv from ${input.configFile} and the consumers \`onevenv scan\` finds.`,
    '     `onevenv check` compares it; `onevenv adopt --write` brings it up to date. -->',
    '',
  );
  paragraph(
    `Every Python tool in this repository runs in one virtual environment, ${code(venv)}, built from the pinned lock ${lock}. This file is the guide to setting it up and keeping it current.`,
  );
  raw(
    '| file | what it is |',
    '| --- | --- |',
    `| ${config} | the declaration: Python version, one dependency group per context, settings |`,
    `| ${lock} | the lock: every package pinned, with hashes (\`onevenv lock\` writes it) |`,
    `| ${code(setup)} | the bootstrap: builds ${code(venv)} from the lock with nothing but \`python3\` |`,
    `| ${code(`${venv}/`)} | the environment itself (ignored by git) |`,
    '',
  );

  heading('Prerequisites');
  const version = input.requiresPython
    ? `Python ${input.requiresPython.replace(/,/g, ', ')} (\`requires-python\` in ${config})`
    : 'Python 3';
  bullet(
    `${version}, as \`python3\` on PATH, with its \`venv\` module (Debian and Ubuntu: \`apt-get install python3-venv\`).`,
  );
  bullet('uv is used when it is on PATH (faster); pip otherwise.');
  bullet(
    `Node.js only for the \`onevenv\` commands (\`npx onevenv …\`): ${code(setup)} does not need it.`,
  );
  if (input.paths.length > 0) {
    bullet('The C++ build, before the modules it produces can be imported (see below).');
  }
  raw('');

  heading('Set up from a clean clone');
  shell(setup);
  const steps = [
    'finds a Python that satisfies `requires-python`',
    `creates ${code(venv)}`,
    `installs exactly what ${lock} pins (hash-checked)`,
  ];
  if (input.editables.length > 0) steps.push(`installs ${list(input.editables)} in editable mode`);
  if (input.paths.length > 0) steps.push('writes the `.pth` file for the build directories');
  steps.push("checks that every group's modules import");
  paragraph(
    `It ${steps.slice(0, -1).join(', ')} and ${steps[steps.length - 1]}. Running it again is safe and returns at once when nothing changed; \`--clean\` rebuilds the venv from scratch. \`npx onevenv sync\` does the same from Node.`,
  );

  heading('A new git worktree');
  paragraph(
    `Each worktree has its own ${code(venv)} (it is not committed), so a new one starts without it:`,
  );
  shell('git worktree add ../my-feature my-feature', `cd ../my-feature && ${setup}`);
  paragraph(
    `To have that happen by itself, install the git hook once per clone: \`npx onevenv hook install\`. After a checkout that changes the lock (a new worktree included) it runs ${code(setup)}.`,
  );

  heading('CI with only a system Python');
  shell(
    `${setup}    # python3 is all it needs; uses uv when present`,
    `${interpreter} path/to/tool.py`,
  );
  paragraph(
    `Cache ${code(venv)} keyed on ${lock} if you like: the script sees an up-to-date venv and returns at once.`,
  );

  heading('Adding a dependency');
  shell("npx onevenv add 'package>=1.0' --group <group>");
  paragraph(
    `This adds it to ${config}, updates ${lock} and the venv. By hand: edit the group in ${config}, run \`npx onevenv lock\`, then ${code(setup)}. Commit ${config} and ${lock} together.`,
  );
  if (input.groups.length > 0) {
    paragraph('The groups (one per context that uses Python):');
    for (const group of input.groups) {
      const requirements = group.requirements.length > 0 ? list(group.requirements) : '(empty)';
      bullet(`${code(group.name)}: ${requirements}`);
    }
    raw('');
  }
  if (input.editables.length > 0) {
    paragraph(
      `Local packages installed in editable mode, with their own dependencies: ${list(input.editables)}. Changes to their code take effect without reinstalling.`,
    );
  }

  if (input.paths.length > 0 || input.extensionModules.length > 0) {
    heading('Modules from the C++ build');
    if (input.extensionModules.length > 0) {
      const modules = input.extensionModules.map((m) => `${code(m.module)} (${code(m.file)})`);
      paragraph(
        `CMake builds ${modules.join(', ')} against the venv's Python. They are not in the lock: build them before using them.`,
      );
    }
    if (input.paths.length > 0) {
      paragraph(
        "These directories are written into a `.pth` file in the venv's site-packages, so what the build puts there imports with no `PYTHONPATH`:",
      );
      for (const dir of input.paths) bullet(code(dir));
      raw('');
    }
  }

  if (input.consumers.length > 0) {
    heading('Who uses the venv');
    for (const use of input.consumers) bullet(describeUse(use, interpreter, venv));
    raw('');
  }
  while (out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

/**
 * python/README.md for this declaration and the consumers a scan found: the one
 * composition adopt writes, check compares and a relock refreshes.
 */
export function generateReadme(
  config: OnevenvConfig,
  references: readonly ScanReference[],
): string {
  return renderReadme(
    readmeInputOf(config, consumersOf(references, OWN_FILES), extensionModulesOf(references), {
      lockFile: LOCK_FILE,
      setupScript: SETUP_SCRIPT_FILE,
    }),
  );
}
