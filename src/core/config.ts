import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError, UserErrors } from '../util/errors.js';
import { parseDeclarationToml } from './declaration-toml.js';
import { parseRequirement, type Requirement, validSpecifier } from './pep508.js';
import { CONFIG_DIR, CONFIG_FILE } from './root.js';

/**
 * `python/pyproject.toml`: what the user writes (all optional but the file itself) and
 * the normalised config every command works from (defaults filled, paths absolute,
 * include-groups expanded). Every problem is collected and reported at once, each with
 * the key path, the value given and what is allowed.
 */

export const INSTALLERS = ['auto', 'uv', 'pip'] as const;
export type Installer = (typeof INSTALLERS)[number];

const stringList = z.array(z.string());

/** Permissive about what we do not own (other [tool.*] tables, extra [project] keys). */
const OnevenvTable = z
  .object({
    venv: z.string().optional(),
    lock: z.string().optional(),
    editable: stringList.optional(),
    paths: stringList.optional(),
    installer: z.enum(INSTALLERS).optional(),
    imports: z.record(z.string(), stringList).optional(),
    'python-install': z.boolean().optional(),
    'lock-timeout': z.number().int().positive().optional(),
    'index-url': z.string().optional(),
    'find-links': stringList.optional(),
  })
  .strict();

const IncludeGroup = z.object({ 'include-group': z.string() }).strict();
const GroupEntry = z.union([z.string(), IncludeGroup]);

const Pyproject = z.object({
  project: z
    .object({
      name: z.string().optional(),
      version: z.string().optional(),
      'requires-python': z.string().optional(),
      dependencies: stringList.optional(),
    })
    .loose()
    .optional(),
  'dependency-groups': z.record(z.string(), z.array(GroupEntry)).optional(),
  tool: z.object({ onevenv: OnevenvTable.optional() }).loose().optional(),
});

export interface GroupRequirement extends Requirement {
  /** The group whose list holds the string (differs from the key for included groups). */
  declaredIn: string;
  line: number | undefined;
}

export interface OnevenvConfig {
  /** Absolute repository root. */
  root: string;
  /** Absolute path of python/pyproject.toml. */
  configPath: string;
  /** Absolute python/ directory; relative settings are resolved against it. */
  configDir: string;
  projectName: string | undefined;
  requiresPython: string | undefined;
  /** `[project] dependencies`: installed with every group. */
  dependencies: GroupRequirement[];
  /** Every group with include-groups expanded, in file order. */
  groups: Record<string, GroupRequirement[]>;
  venv: string;
  lock: string;
  editable: string[];
  paths: string[];
  installer: Installer;
  imports: Record<string, string[]>;
  pythonInstall: boolean;
  /** Seconds to wait for another onevenv holding the environment lock. */
  lockTimeout: number;
  /** `index-url`: replaces PyPI for lock and sync (PIP_INDEX_URL/UV_INDEX_URL win when set). */
  indexUrl: string | undefined;
  /** `find-links`: local directories (absolute) or URLs searched besides the index. */
  findLinks: string[];
  /** The bytes of python/pyproject.toml as read (for fingerprints). */
  text: string;
}

export function relativeToRoot(config: Pick<OnevenvConfig, 'root'>, p: string): string {
  return path.relative(config.root, p).split(path.sep).join('/') || '.';
}

/** 1-based line of the first quoted occurrence of `value` at or after `from`. */
export function locateString(text: string, value: string, from = 0): number | undefined {
  for (const quoted of [JSON.stringify(value), `'${value}'`]) {
    const index = text.indexOf(quoted, from);
    if (index !== -1) return lineOf(text, index);
  }
  return undefined;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

function locateKey(text: string, key: string, from = 0): number | undefined {
  const pattern = new RegExp(`^\\s*["']?${escapeRegExp(key)}["']?\\s*=`, 'gm');
  pattern.lastIndex = from;
  const match = pattern.exec(text);
  return match ? lineOf(text, match.index) : undefined;
}

/** Where the table holding `keyPath` starts (`[tool.onevenv.imports]`), or 0. */
function sectionStart(text: string, keyPath: string[]): number {
  for (let n = keyPath.length - 1; n > 0; n--) {
    const header = keyPath.slice(0, n).map(escapeRegExp).join('\\s*\\.\\s*');
    const match = new RegExp(`^\\s*\\[\\s*${header}\\s*\\]`, 'm').exec(text);
    if (match) return match.index;
  }
  return 0;
}

/** PEP 735: a group name is a valid distribution-style name. */
const GROUP_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

function describe(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) return String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function getAt(data: unknown, keyPath: PropertyKey[]): unknown {
  let current = data;
  for (const key of keyPath) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function parseConfigText(text: string, root: string): OnevenvConfig {
  const configPath = path.join(root, CONFIG_FILE);
  const configDir = path.join(root, CONFIG_DIR);
  const data = parseDeclarationToml(text);

  const errors: UserError[] = [];
  const parsed = Pyproject.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keyPath = issue.path.map(String);
      const key = keyPath.join('.');
      const given = getAt(data, issue.path as PropertyKey[]);
      const lastKey = [...keyPath].reverse().find((k) => !/^\d+$/.test(k));
      let message: string;
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.join(', ');
        message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys} in ${key || 'the document'}`;
        errors.push(
          new UserError(message, {
            location: { file: CONFIG_FILE, line: locateKey(text, issue.keys[0]!) },
            fix: `allowed: ${Object.keys(OnevenvTable.shape).join(', ')}`,
          }),
        );
        continue;
      }
      message = `${key}: ${issue.message.replace(/^Invalid (input|option): /, '')}, got ${describe(given)}`;
      const from = sectionStart(text, keyPath);
      errors.push(
        new UserError(message, {
          location: {
            file: CONFIG_FILE,
            line:
              (typeof given === 'string' ? locateString(text, given, from) : undefined) ??
              (lastKey ? locateKey(text, lastKey, from) : undefined),
          },
        }),
      );
    }
    throw new UserErrors(errors);
  }
  const pyproject = parsed.data;
  const settings = pyproject.tool?.onevenv ?? {};

  const requiresPython = pyproject.project?.['requires-python'];
  if (requiresPython !== undefined && !validSpecifier(requiresPython.replace(/\s+/g, ''))) {
    errors.push(
      new UserError(
        `project.requires-python: invalid version specifier ${describe(requiresPython)}`,
        {
          location: { file: CONFIG_FILE, line: locateString(text, requiresPython) },
          fix: 'use PEP 440 specifiers, e.g. ">=3.10"',
        },
      ),
    );
  }

  const groupsSection = text.search(/^\s*\[dependency-groups\]/m);
  function toRequirements(
    entries: string[],
    where: string,
    declaredIn: string,
    searchFrom: number,
  ): GroupRequirement[] {
    const out: GroupRequirement[] = [];
    for (const entry of entries) {
      const line = locateString(text, entry, Math.max(0, searchFrom));
      const result = parseRequirement(entry);
      if (!result.ok) {
        errors.push(
          new UserError(`${where}: ${result.error}`, {
            location: { file: CONFIG_FILE, line },
            fix: 'use a PEP 508 requirement such as "six>=1.16"',
          }),
        );
        continue;
      }
      out.push({ ...result.requirement, declaredIn, line });
    }
    return out;
  }

  const dependencies = toRequirements(
    pyproject.project?.dependencies ?? [],
    'project.dependencies',
    '',
    0,
  );

  const rawGroups = pyproject['dependency-groups'] ?? {};
  const direct: Record<string, GroupRequirement[]> = {};
  for (const group of Object.keys(rawGroups)) {
    if (GROUP_NAME.test(group)) continue;
    errors.push(
      new UserError(`dependency-groups: ${describe(group)} is not a valid group name`, {
        location: { file: CONFIG_FILE, line: locateKey(text, group, Math.max(0, groupsSection)) },
        fix: 'use letters, digits and . _ - (starting and ending with a letter or digit)',
      }),
    );
  }
  for (const [group, entries] of Object.entries(rawGroups)) {
    const strings = entries.filter((entry): entry is string => typeof entry === 'string');
    direct[group] = toRequirements(strings, `dependency-groups.${group}`, group, groupsSection);
  }
  const normalizedGroups = new Map(Object.keys(rawGroups).map((g) => [normalizeGroup(g), g]));
  const groups: Record<string, GroupRequirement[]> = {};
  function expand(group: string, stack: string[]): GroupRequirement[] {
    if (stack.includes(group)) {
      errors.push(
        new UserError(`dependency-groups: include-group cycle ${[...stack, group].join(' -> ')}`, {
          location: { file: CONFIG_FILE, line: locateKey(text, group) },
          fix: 'remove one of the include-group entries',
        }),
      );
      return [];
    }
    const out: GroupRequirement[] = [];
    for (const entry of rawGroups[group] ?? []) {
      if (typeof entry === 'string') continue;
      const target = normalizedGroups.get(normalizeGroup(entry['include-group']));
      if (target === undefined) {
        errors.push(
          new UserError(
            `dependency-groups.${group}: include-group ${describe(entry['include-group'])} names no group`,
            {
              location: { file: CONFIG_FILE, line: locateString(text, entry['include-group']) },
              fix: `groups defined: ${Object.keys(rawGroups).join(', ') || 'none'}`,
            },
          ),
        );
        continue;
      }
      out.push(...expand(target, [...stack, group]));
    }
    return [...(direct[group] ?? []), ...out];
  }
  for (const group of Object.keys(rawGroups)) groups[group] = expand(group, []);

  for (const [group, modules] of Object.entries(settings.imports ?? {})) {
    if (!(group in rawGroups) && group !== 'project') {
      errors.push(
        new UserError(`tool.onevenv.imports.${group}: names no dependency group`, {
          location: { file: CONFIG_FILE, line: locateKey(text, group) },
          fix: `groups defined: ${Object.keys(rawGroups).join(', ') || 'none'}`,
        }),
      );
    }
    for (const module of modules) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(module)) {
        errors.push(
          new UserError(`tool.onevenv.imports.${group}: ${describe(module)} is not a module name`, {
            location: { file: CONFIG_FILE, line: locateString(text, module) },
          }),
        );
      }
    }
  }

  if (errors.length > 0) throw new UserErrors(errors);

  const resolve = (p: string) => path.resolve(configDir, p);
  return {
    root,
    configPath,
    configDir,
    projectName: pyproject.project?.name,
    requiresPython,
    dependencies,
    groups,
    venv: resolve(settings.venv ?? '.venv'),
    lock: resolve(settings.lock ?? 'requirements.txt'),
    editable: (settings.editable ?? []).map(resolve),
    paths: (settings.paths ?? []).map(resolve),
    installer: settings.installer ?? 'auto',
    imports: settings.imports ?? {},
    pythonInstall: settings['python-install'] ?? false,
    lockTimeout: settings['lock-timeout'] ?? 300,
    indexUrl: settings['index-url'],
    findLinks: (settings['find-links'] ?? []).map((link) =>
      /^[a-z][a-z0-9+.-]*:\/\//i.test(link) ? link : resolve(link),
    ),
    text,
  };
}

/** PEP 735: group names compare normalised like package names. */
export function normalizeGroup(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export async function loadConfig(root: string): Promise<OnevenvConfig> {
  const file = path.join(root, CONFIG_FILE);
  let text: string;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(`${CONFIG_FILE} not found`, {
        location: { file: CONFIG_FILE },
        fix: "run 'onevenv adopt' to create it, or write it by hand (see the README)",
      });
    }
    throw new UserError(`cannot read ${CONFIG_FILE}: ${(error as Error).message}`, {
      location: { file: CONFIG_FILE },
    });
  }
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const loose = bytes.toString('utf8');
    throw new UserError(`${CONFIG_FILE} is not UTF-8 text`, {
      location: { file: CONFIG_FILE, line: lineOf(loose, loose.indexOf('\uFFFD')) },
      fix: 'save it as UTF-8, as TOML requires',
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseConfigText(text, root);
}
