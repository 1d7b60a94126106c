import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { detectEol } from '../../util/fs.js';
import { parseRequirement } from '../pep508.js';
import { addRequirements } from '../pyproject-edit.js';
import { CONFIG_DIR } from '../root.js';
import { layoutToml } from '../toml-spans.js';
import type { Declaration } from './declaration.js';

/**
 * python/pyproject.toml from a planned declaration: written whole when there is none,
 * otherwise the existing file is kept and only what it lacks is spliced in (a group or a
 * requirement for a distribution it does not name anywhere, an editable, a path), so a
 * second adopt changes nothing and a person's edits survive.
 */

function quote(value: string): string {
  return JSON.stringify(value);
}

/** A repo-relative path as python/pyproject.toml writes it (relative to python/). */
export function fromConfigDir(repoRelative: string): string {
  return path.posix.relative(CONFIG_DIR, repoRelative) || '.';
}

function key(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : quote(name);
}

function stringArray(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`;
}

/** `[project] name`: the repository directory's name, made a valid distribution name. */
export function projectName(root: string): string {
  const base = path
    .basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');
  return `${base || 'repository'}-python-env`;
}

export function renderPyproject(declaration: Declaration, root: string): string {
  const lines: string[] = [
    '# The one Python environment of this repository (python/.venv): every context that',
    '# uses Python has a dependency group here. python/requirements.txt pins them all',
    '# (onevenv lock); python/setup.sh or onevenv sync builds the venv from it.',
    '# Written by onevenv adopt from what it found; edit freely, or use onevenv add.',
    '',
    '[project]',
    `name = ${quote(projectName(root))}  # never built or published`,
    'version = "0"',
  ];
  if (declaration.requiresPython !== undefined) {
    const from =
      declaration.requiresPythonSources.length > 0
        ? `  # ${declaration.requiresPythonSources.join(', ')}`
        : '  # the interpreter found when adopting';
    lines.push(`requires-python = ${quote(declaration.requiresPython)}${from}`);
  }
  lines.push('dependencies = []');
  if (declaration.groups.length > 0) {
    lines.push('', '[dependency-groups]');
    for (const group of declaration.groups) {
      lines.push(`# ${group.origins.join('; ')}`);
      lines.push(`${key(group.name)} = [`);
      for (const requirement of group.requirements)
        lines.push(`    ${quote(requirement.requirement)},`);
      lines.push(']');
    }
  }
  const editable = declaration.editables.map(fromConfigDir);
  const paths = declaration.paths.map(fromConfigDir);
  if (editable.length > 0 || paths.length > 0) {
    lines.push('', '[tool.onevenv]');
    if (editable.length > 0) {
      lines.push('# local packages, installed in editable mode');
      lines.push(`editable = ${stringArray(editable)}`);
    }
    if (paths.length > 0) {
      lines.push('# put on sys.path through a .pth file: modules built into these directories');
      lines.push(`paths = ${stringArray(paths)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface MergeResult {
  text: string;
  /** What was added, one line each. */
  changes: string[];
}

interface ExistingFacts {
  names: Set<string>;
  editable: Set<string>;
  paths: Set<string>;
}

function existingFacts(text: string): ExistingFacts {
  const data = parseToml(text) as {
    project?: { dependencies?: unknown };
    'dependency-groups'?: Record<string, unknown>;
    tool?: { onevenv?: { editable?: unknown; paths?: unknown } };
  };
  const names = new Set<string>();
  const lists: unknown[] = [data.project?.dependencies];
  for (const list of Object.values(data['dependency-groups'] ?? {})) lists.push(list);
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (typeof item !== 'string') continue;
      const parsed = parseRequirement(item);
      if (parsed.ok) names.add(parsed.requirement.normalizedName);
    }
  }
  const strings = (value: unknown) =>
    new Set(
      Array.isArray(value)
        ? value
            .filter((v): v is string => typeof v === 'string')
            .map((v) => path.posix.normalize(v))
        : [],
    );
  return {
    names,
    editable: strings(data.tool?.onevenv?.editable),
    paths: strings(data.tool?.onevenv?.paths),
  };
}

/**
 * Splices into an existing python/pyproject.toml what the declaration has and it lacks.
 * Throws (smol-toml's TomlError) when the file is not valid TOML: the caller reports it.
 */
export function mergePyproject(text: string, declaration: Declaration): MergeResult {
  const facts = existingFacts(text);
  const changes: string[] = [];
  let current = text;
  for (const group of declaration.groups) {
    const missing = group.requirements.filter((r) => !facts.names.has(r.name));
    if (missing.length === 0) continue;
    current = addRequirements(
      current,
      group.name,
      missing.map((r) => r.requirement),
    ).text;
    for (const r of missing) {
      facts.names.add(r.name);
      changes.push(`dependency-groups.${group.name}: added ${r.requirement}`);
    }
  }
  for (const [setting, values] of [
    ['editable', declaration.editables.map(fromConfigDir)],
    ['paths', declaration.paths.map(fromConfigDir)],
  ] as const) {
    const have = setting === 'editable' ? facts.editable : facts.paths;
    const missing = values.filter((value) => !have.has(path.posix.normalize(value)));
    if (missing.length === 0) continue;
    current = appendToOnevenvArray(current, setting, missing);
    for (const value of missing) changes.push(`tool.onevenv.${setting}: added ${value}`);
  }
  return { text: current, changes };
}

/** Adds `values` to `[tool.onevenv] <setting>`, creating the key or the table as needed. */
function appendToOnevenvArray(text: string, setting: string, values: readonly string[]): string {
  const eol = detectEol(text);
  const layout = layoutToml(text);
  const entry = layout.entries.find(
    (e) =>
      e.key.length === 3 && e.key[0] === 'tool' && e.key[1] === 'onevenv' && e.key[2] === setting,
  );
  if (entry?.elements && entry.closeBracket !== undefined) {
    const last = entry.elements[entry.elements.length - 1];
    if (!last) {
      return `${text.slice(0, entry.valueStart)}${stringArray(values)}${text.slice(entry.valueEnd)}`;
    }
    if (!entry.multiline) {
      const added = values.map((v) => `, ${quote(v)}`).join('');
      return `${text.slice(0, last.end)}${added}${text.slice(last.end)}`;
    }
    const lineStart = text.lastIndexOf('\n', last.start - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    const trailingComma = /^\s*,/.test(text.slice(last.end, entry.closeBracket));
    const lineEnd = text.indexOf('\n', last.end);
    if (lineEnd === -1 || lineEnd > entry.closeBracket) {
      const added = values.map((v) => `,${eol}${indent}${quote(v)}`).join('');
      return `${text.slice(0, last.end)}${added}${text.slice(last.end)}`;
    }
    const head = trailingComma
      ? text.slice(0, lineEnd + 1)
      : `${text.slice(0, last.end)},${text.slice(last.end, lineEnd + 1)}`;
    const added = values
      .map(
        (v, i) => `${indent}${quote(v)}${trailingComma || i < values.length - 1 ? ',' : ''}${eol}`,
      )
      .join('');
    return `${head}${added}${text.slice(lineEnd + 1)}`;
  }
  if (entry) {
    throw new Error(`tool.onevenv.${setting} is not an array`);
  }
  const line = `${setting} = ${stringArray(values)}${eol}`;
  const header = layout.tables.find(
    (t) => !t.array && t.key.length === 2 && t.key[0] === 'tool' && t.key[1] === 'onevenv',
  );
  if (header) {
    // After the table's last entry, so keys keep the order they are added in.
    const next = layout.tables.find((t) => t.start > header.start);
    const tableEnd = next ? next.start : text.length;
    const inTable = layout.entries.filter(
      (e) => e.keyStart > header.start && e.keyStart < tableEnd,
    );
    let insertAt = header.end;
    if (inTable.length > 0) {
      const lastEnd = Math.max(...inTable.map((e) => e.valueEnd));
      const lineEnd = text.indexOf('\n', lastEnd);
      insertAt = lineEnd === -1 ? text.length : lineEnd + 1;
    }
    const needsEol = insertAt === text.length && !text.endsWith('\n');
    return `${text.slice(0, insertAt)}${needsEol ? eol : ''}${line}${text.slice(insertAt)}`;
  }
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  const blank = text.trim() === '' ? '' : eol;
  return `${text}${sep}${blank}[tool.onevenv]${eol}${line}`;
}
