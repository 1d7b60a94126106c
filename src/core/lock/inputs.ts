import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { UserError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { type GroupRequirement, locateString, type OnevenvConfig } from '../config.js';
import { parseRequirement } from '../pep508.js';
import { CONFIG_FILE } from '../root.js';

/**
 * What the resolver is asked for, grouped by where it was declared: one source per
 * dependency group, one for `[project] dependencies`, one per editable package. Each
 * source becomes one requirements file for the resolver, so its `# via -r FILE`
 * annotations (uv) and `(from -r FILE (line N))` messages (pip) map straight back to
 * the group and the pyproject line.
 */

export interface InputRequirement {
  raw: string;
  normalizedName: string;
  /** Repo-relative file that declares it, e.g. python/pyproject.toml. */
  file: string;
  line: number | undefined;
  /** The group whose list holds the string (an included group's own name). */
  declaredIn: string | undefined;
}

export interface LockSource {
  /** As written in `# via`: `group:NAME`, `project` or `editable:PATH`. */
  label: string;
  requirements: InputRequirement[];
}

function relative(config: OnevenvConfig, p: string): string {
  return path.relative(config.root, p).split(path.sep).join('/') || '.';
}

function fromGroup(requirement: GroupRequirement): InputRequirement {
  return {
    raw: requirement.raw.trim(),
    normalizedName: requirement.normalizedName,
    file: CONFIG_FILE,
    line: requirement.line,
    declaredIn: requirement.declaredIn || undefined,
  };
}

export interface EditablePackage {
  dir: string;
  /** Normalised `[project] name`, when the pyproject declares one. */
  name: string | undefined;
  requirements: InputRequirement[];
}

/**
 * An editable package's own `[project] dependencies` (optional dependencies are not
 * included). Dependencies computed by a build backend (`dynamic`, setup.py) cannot be
 * read without building, so they are reported and left out.
 */
export async function readEditable(config: OnevenvConfig, dir: string): Promise<EditablePackage> {
  const file = path.join(dir, 'pyproject.toml');
  const shown = relative(config, file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    log.warn(
      `${shown} not found: the dependencies of editable ${relative(config, dir)} are not locked (list them in a dependency group)`,
    );
    return { dir, name: undefined, requirements: [] };
  }
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const where = error as { line?: number; column?: number; message: string };
    throw new UserError(`invalid TOML: ${where.message.split('\n')[0]}`, {
      location: { file: shown, line: where.line, column: where.column },
      fix: 'fix the syntax and run again',
    });
  }
  const project = (data.project ?? {}) as Record<string, unknown>;
  const name =
    typeof project.name === 'string'
      ? project.name.toLowerCase().replace(/[-_.]+/g, '-')
      : undefined;
  const dynamic = Array.isArray(project.dynamic) ? project.dynamic : [];
  if (dynamic.includes('dependencies')) {
    log.warn(
      `${shown} declares its dependencies as dynamic: they are not locked (list them in a dependency group)`,
    );
    return { dir, name, requirements: [] };
  }
  const dependencies = Array.isArray(project.dependencies) ? project.dependencies : [];
  const requirements: InputRequirement[] = [];
  for (const entry of dependencies) {
    const line = typeof entry === 'string' ? locateString(text, entry) : undefined;
    const parsed = typeof entry === 'string' ? parseRequirement(entry) : undefined;
    if (!parsed?.ok) {
      throw new UserError(
        `project.dependencies: ${parsed ? parsed.error : `${JSON.stringify(entry)} is not a string`}`,
        { location: { file: shown, line }, fix: 'use a PEP 508 requirement such as "six>=1.16"' },
      );
    }
    requirements.push({
      raw: entry.trim(),
      normalizedName: parsed.requirement.normalizedName,
      file: shown,
      line,
      declaredIn: undefined,
    });
  }
  return { dir, name, requirements };
}

export async function collectSources(config: OnevenvConfig): Promise<LockSource[]> {
  const editables = await Promise.all(config.editable.map((dir) => readEditable(config, dir)));
  // An editable package is installed from its directory, never from the index: a group
  // or another editable that names it must not send the resolver looking for it.
  const local = new Set(editables.map((e) => e.name).filter((n): n is string => !!n));
  const sources: LockSource[] = [];
  function add(label: string, requirements: InputRequirement[]): void {
    const remote = requirements.filter((r) => !local.has(r.normalizedName));
    if (remote.length > 0) sources.push({ label, requirements: remote });
  }
  add('project', config.dependencies.map(fromGroup));
  for (const [group, requirements] of Object.entries(config.groups)) {
    add(`group:${group}`, requirements.map(fromGroup));
  }
  for (const editable of editables) {
    add(`editable:${relative(config, editable.dir)}`, editable.requirements);
  }
  return sources;
}

/** The resolver's input files: `NN-label.in`, one requirement per line. */
export interface WrittenSources {
  files: Array<{ name: string; source: LockSource }>;
}

export async function writeSourceFiles(
  dir: string,
  sources: LockSource[],
): Promise<WrittenSources> {
  const files: WrittenSources['files'] = [];
  for (const [i, source] of sources.entries()) {
    const safe = source.label.replace(/[^A-Za-z0-9._-]+/g, '-');
    const name = `${String(i + 1).padStart(2, '0')}-${safe}.in`;
    await fs.writeFile(
      path.join(dir, name),
      `${source.requirements.map((r) => r.raw).join('\n')}\n`,
    );
    files.push({ name, source });
  }
  return { files };
}
