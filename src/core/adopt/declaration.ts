import path from 'node:path';
import { compare, valid } from '@renovatebot/pep440';
import { distributionFor } from '../../adapters/python-deps/import-names.js';
import { FALLBACK_STDLIB_MODULES } from '../../adapters/python-deps/stdlib.js';
import type { DependencyDeclaration, DependencySource } from '../../adapters/types.js';
import { normalizeGroup } from '../config.js';
import { normalizeName, parseRequirement } from '../pep508.js';
import type { ScanReference, ScanResult } from '../scan/model.js';
import type { DependencyConflict } from './types.js';

/**
 * What python/pyproject.toml should declare, worked out from a scan: pure. The naming
 * rule for dependency groups (one group per context that uses Python):
 *
 * 1. A local package (a directory whose pyproject.toml or setup.cfg names a package) is
 *    installed editable; its `[project] dependencies` come with it. Its extras and
 *    dependency groups become groups of the same name (`test`, `tests` and `testing` are
 *    all `test`); dependencies it cannot hand over (setup.cfg, Poetry) and imports it does
 *    not declare go into a group named after the package.
 * 2. Outside packages, a context is the directory of the declaring file. A directory
 *    holding the script of an MCP server is `mcp`; `tests`/`testing` are `test`; the
 *    repository root is `tools`; anything else is its last path segment
 *    (`scripts/traceability` → `traceability`).
 * 3. A requirements file named for a purpose (`requirements-dev.txt`, `test-requirements.txt`,
 *    `requirements/docs.txt`: dev, test, docs, lint) fills that group instead.
 * 4. A pyproject.toml's own `[dependency-groups]` keep their names.
 * 5. What CMake needs from Python to build (`-m pybind11 --cmakedir`, `find_package(pybind11)`,
 *    nanobind) is `build`; a module some other command runs with `-m` that nothing declares
 *    goes into `tools`.
 *
 * Contexts that map to one name share the group. Within a group each distribution appears
 * once, with the constraints of every source that asks for it combined.
 */

export interface GroupRequirementPlan {
  /** What goes into the array: 'fastapi>=0.110'. */
  requirement: string;
  /** PEP 503 name. */
  name: string;
  /** 'file:line' of every declaration behind it, sorted. */
  sources: string[];
}

export interface PlannedGroup {
  name: string;
  requirements: GroupRequirementPlan[];
  /** Where it comes from, one short phrase each (a comment above the group). */
  origins: string[];
}

export interface ExtensionModule {
  module: string;
  /** Repo-relative CMake file that builds it. */
  file: string;
}

export interface Declaration {
  requiresPython: string | undefined;
  /** 'file:line' of each requires-python that went into it. */
  requiresPythonSources: string[];
  /** Sorted by name. */
  groups: PlannedGroup[];
  /** Repo-relative package directories, sorted. */
  editables: string[];
  /** Repo-relative build-directory paths for the .pth, sorted. */
  paths: string[];
  extensionModules: ExtensionModule[];
  conflicts: DependencyConflict[];
  notes: string[];
}

export interface DeclarationInput {
  scan: ScanResult;
  /** Repo-relative files of the repository (tracked and untracked, not ignored). */
  files: readonly string[];
  /** The interpreter adopt found ('3.11.7'), or undefined. */
  interpreterVersion: string | undefined;
}

const TEST_NAMES = new Set(['test', 'tests', 'testing']);
const PURPOSES = ['dev', 'test', 'tests', 'testing', 'docs', 'doc', 'lint'];
const NOT_DEPENDENCIES = new Set(['pip', 'venv', 'ensurepip', 'virtualenv', 'setuptools']);

export function groupName(raw: string): string {
  const name = normalizeGroup(raw);
  if (TEST_NAMES.has(name)) return 'test';
  if (name === 'doc') return 'docs';
  return name === '' ? 'tools' : name;
}

/** The purpose a requirements file's name gives it, if any. */
function purposeOf(file: string): string | undefined {
  const base = path.posix.basename(file).toLowerCase();
  const parent = path.posix.basename(path.posix.dirname(file)).toLowerCase();
  const stem = base.replace(/\.(txt|in)$/, '');
  const names = [
    /^requirements[-_.](.+)$/.exec(stem)?.[1],
    /^(.+)[-_.]requirements$/.exec(stem)?.[1],
    /^requirements(\.d)?$/.test(parent) ? stem : undefined,
  ];
  for (const name of names) if (name && PURPOSES.includes(name)) return groupName(name);
  return undefined;
}

function inside(dir: string, file: string): boolean {
  return dir === '.' || file === dir || file.startsWith(`${dir}/`);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sourceFile(source: string): string {
  const index = source.lastIndexOf(':');
  return index === -1 ? source : source.slice(0, index);
}

interface Wanted {
  group: string;
  declaration: DependencyDeclaration;
  origin: string;
}

interface LocalPackage {
  dir: string;
  name: string;
  /** Its pyproject.toml [project] dependencies are installed with it (lock reads them). */
  handsOverDependencies: boolean;
  /** Names the package declares anywhere (main, extras, groups). */
  declared: Set<string>;
}

function localPackages(
  sources: readonly DependencySource[],
  dependencies: readonly DependencyDeclaration[],
  references: readonly ScanReference[],
  files: ReadonlySet<string>,
): Map<string, LocalPackage> {
  const packages = new Map<string, LocalPackage>();
  for (const source of sources) {
    if (source.unified || !source.package) continue;
    const dir = path.posix.dirname(source.file) || '.';
    const existing = packages.get(dir);
    const handsOver =
      source.origin === 'pyproject' && path.posix.basename(source.file) === 'pyproject.toml';
    if (existing) {
      existing.handsOverDependencies ||= handsOver;
      continue;
    }
    packages.set(dir, {
      dir,
      name: source.package.name,
      handsOverDependencies: handsOver,
      declared: new Set(),
    });
  }
  // `pip install -e dir` in a script or `-e ./dir` in a requirements file names a
  // package too (a setup.py-only one has no source above).
  const named: string[] = [];
  for (const reference of references) {
    const editables = reference.meta?.editables;
    if (reference.kind === 'pip-install' && Array.isArray(editables)) named.push(...editables);
  }
  for (const source of sources) {
    for (const install of source.directInstalls) if (install.editable) named.push(...install.paths);
  }
  for (const written of named) {
    const dir = written.replace(/\[.*$/, '').replace(/\/+$/, '') || '.';
    if (packages.has(dir) || dir.startsWith('..') || dir.startsWith('/')) continue;
    const hasBuild = ['pyproject.toml', 'setup.py', 'setup.cfg'].some((f) =>
      files.has(dir === '.' ? f : `${dir}/${f}`),
    );
    if (hasBuild) {
      packages.set(dir, {
        dir,
        name: path.posix.basename(dir === '.' ? 'root' : dir),
        handsOverDependencies: false,
        declared: new Set(),
      });
    }
  }
  for (const dependency of dependencies) {
    if (dependency.origin === 'import') continue;
    const file = sourceFile(dependency.source);
    for (const pkg of packages.values()) {
      if (path.posix.dirname(file) === pkg.dir || (pkg.dir === '.' && !file.includes('/'))) {
        pkg.declared.add(dependency.name);
      }
    }
  }
  return packages;
}

function packageOf(
  packages: ReadonlyMap<string, LocalPackage>,
  file: string,
): LocalPackage | undefined {
  let best: LocalPackage | undefined;
  for (const pkg of packages.values()) {
    if (!inside(pkg.dir, file)) continue;
    if (!best || pkg.dir.length > best.dir.length) best = pkg;
  }
  return best;
}

function mcpScriptDirs(references: readonly ScanReference[]): Set<string> {
  const dirs = new Set<string>();
  for (const reference of references) {
    if (reference.adapter !== 'mcp-json') continue;
    const script = reference.meta?.script;
    if (typeof script === 'string') dirs.add(path.posix.dirname(script) || '.');
  }
  return dirs;
}

function contextGroup(context: string, mcpDirs: ReadonlySet<string>): string {
  if (mcpDirs.has(context)) return 'mcp';
  if (context === '.' || context === '') return 'tools';
  return groupName(path.posix.basename(context));
}

/**
 * Combines the constraints of every source for one distribution in one group: extras
 * united, specifiers intersected (each clause once), one marker or URL (the first).
 */
function combine(name: string, declarations: readonly DependencyDeclaration[]): string {
  const extras = new Set<string>();
  const clauses: string[] = [];
  const markers: string[] = [];
  const urls: string[] = [];
  let display = name;
  for (const declaration of declarations) {
    const parsed = parseRequirement(declaration.requirement);
    if (!parsed.ok) continue;
    const r = parsed.requirement;
    if (declaration.origin !== 'import') display = r.name;
    for (const extra of r.extras) extras.add(extra);
    for (const clause of r.specifier.split(',')) {
      if (clause !== '' && !clauses.includes(clause)) clauses.push(clause);
    }
    if (r.marker && !markers.includes(r.marker)) markers.push(r.marker);
    if (r.url && !urls.includes(r.url)) urls.push(r.url);
  }
  let requirement = display;
  if (extras.size > 0) requirement += `[${[...extras].sort(compareStrings).join(',')}]`;
  if (urls.length > 0) requirement += ` @ ${urls[0]}`;
  else requirement += sortClauses(clauses).join(',');
  if (markers.length > 0) requirement += `${urls.length > 0 ? ' ' : ''}; ${markers[0]}`;
  return requirement;
}

/** Lower bounds first, then upper bounds, then the rest; each in version order. */
function sortClauses(clauses: string[]): string[] {
  const rank = (clause: string) => (/^>/.test(clause) ? 0 : /^</.test(clause) ? 1 : 2);
  return [...clauses].sort((a, b) => {
    const byRank = rank(a) - rank(b);
    if (byRank !== 0) return byRank;
    const va = a.replace(/^[<>=!~]+/, '');
    const vb = b.replace(/^[<>=!~]+/, '');
    if (valid(va) && valid(vb) && va !== vb) return compare(va, vb);
    if (va === vb) {
      // One version: a strict lower bound is the higher, a strict upper bound the lower.
      const strength = (clause: string) =>
        clause.startsWith('>=') ? 0 : clause.startsWith('>') ? 1 : clause.startsWith('<=') ? 1 : 0;
      const byStrength = strength(a) - strength(b);
      if (byStrength !== 0) return byStrength;
    }
    return compareStrings(a, b);
  });
}

/**
 * The requires-python every source allows: lower bounds folded to the highest, upper
 * bounds to the lowest, other clauses kept. Without any source, the minor version of the
 * interpreter found.
 */
export function combineRequiresPython(
  specifiers: readonly string[],
  interpreterVersion: string | undefined,
): string | undefined {
  const clauses = specifiers.flatMap((s) => s.split(',')).filter((c) => c !== '');
  if (clauses.length === 0) {
    const minor = interpreterVersion && /^(\d+\.\d+)/.exec(interpreterVersion)?.[1];
    return minor ? `>=${minor}` : undefined;
  }
  const pick = (ops: RegExp, highest: boolean): string[] => {
    const matching = clauses.filter((c) => ops.test(c));
    if (matching.length === 0) return [];
    const sorted = sortClauses([...new Set(matching)]);
    // A strict and a non-strict bound at one version: the strict one decides.
    return [highest ? sorted[sorted.length - 1]! : sorted[0]!];
  };
  const lower = pick(/^>(?!=)|^>=/, true);
  const upper = pick(/^<(?!=)|^<=/, false);
  const rest = [...new Set(clauses.filter((c) => !/^[<>]/.test(c)))].sort(compareStrings);
  return [...lower, ...upper, ...rest].join(',');
}

function trackedDirectory(files: readonly string[], dir: string): boolean {
  const prefix = `${dir}/`;
  return files.some((file) => file.startsWith(prefix));
}

function isStdlib(module: string): boolean {
  return FALLBACK_STDLIB_MODULES.has(module.split('.')[0]!);
}

export function planDeclaration(input: DeclarationInput): Declaration {
  const { scan } = input;
  const fileSet = new Set(input.files);
  const notes: string[] = [];
  const sources = scan.dependencySources.filter((source) => !source.unified);
  const unifiedFiles = new Set(
    scan.dependencySources.filter((source) => source.unified).map((source) => source.file),
  );
  const dependencies = scan.dependencies.filter(
    (dependency) => !unifiedFiles.has(sourceFile(dependency.source)),
  );
  const packages = localPackages(sources, dependencies, scan.references, fileSet);
  const mcpDirs = mcpScriptDirs(scan.references);
  const sourceByFile = new Map(sources.map((source) => [source.file, source]));
  const wanted: Wanted[] = [];
  const localNames = new Set([...packages.values()].map((pkg) => normalizeName(pkg.name)));

  for (const dependency of dependencies) {
    const file = sourceFile(dependency.source);
    const meta = dependency.meta ?? {};
    if (meta.constraint === true || meta.localSource === true) continue;
    if (localNames.has(dependency.name)) continue;
    if (meta.containsVariable === true) {
      notes.push(
        `${dependency.source}: ${dependency.requirement} is built from a variable the installer expands: not carried over, add it with onevenv add`,
      );
      continue;
    }
    const pkg = packageOf(packages, file);
    const ownFile = pkg !== undefined && path.posix.dirname(file) === pkg.dir;
    if (dependency.origin === 'import') {
      if (pkg) {
        if (pkg.declared.has(dependency.name) || normalizeName(pkg.name) === dependency.name) {
          continue;
        }
        wanted.push({ group: groupName(pkg.name), declaration: dependency, origin: pkg.dir });
        notes.push(
          `${dependency.source} imports ${String(meta.module ?? dependency.name)}, which ${pkg.dir} does not declare: added to group ${groupName(pkg.name)}`,
        );
        continue;
      }
      wanted.push({
        group: contextGroup(dependency.context, mcpDirs),
        declaration: dependency,
        origin: dependency.context,
      });
      continue;
    }
    const declaredGroup = typeof meta.group === 'string' ? meta.group : undefined;
    const extra = typeof meta.extra === 'string' ? meta.extra : undefined;
    if (declaredGroup !== undefined || extra !== undefined) {
      const group = groupName((declaredGroup ?? extra)!);
      const label = declaredGroup !== undefined ? 'group' : 'extra';
      wanted.push({
        group,
        declaration: dependency,
        origin: `${file} ${label} ${declaredGroup ?? extra}`,
      });
      continue;
    }
    if (dependency.origin === 'requirements') {
      const purpose = purposeOf(file);
      if (purpose) {
        wanted.push({ group: purpose, declaration: dependency, origin: file });
        continue;
      }
    }
    if (pkg && ownFile) {
      const source = sourceByFile.get(file);
      if (
        pkg.handsOverDependencies &&
        source?.origin === 'pyproject' &&
        meta.poetry === undefined
      ) {
        continue; // installed with the editable package
      }
      wanted.push({ group: groupName(pkg.name), declaration: dependency, origin: file });
      continue;
    }
    wanted.push({
      group: pkg ? groupName(pkg.name) : contextGroup(dependency.context, mcpDirs),
      declaration: dependency,
      origin: file,
    });
  }

  // What the build needs from Python, and modules other commands run with -m.
  const extensionModules: ExtensionModule[] = [];
  const declaredAnywhere = new Set(dependencies.map((d) => d.name));
  for (const pkg of packages.values()) declaredAnywhere.add(normalizeName(pkg.name));
  const localTop = new Set<string>();
  for (const file of input.files) {
    const top = file.split('/')[0]!;
    localTop.add(top.replace(/\.py$/, ''));
    const base = path.posix.basename(file).replace(/\.py$/, '');
    localTop.add(base);
  }
  for (const reference of scan.references) {
    const meta = reference.meta ?? {};
    if (reference.adapter === 'cmake' && reference.kind === 'find-package') {
      const modules = Array.isArray(meta.extensionModules) ? meta.extensionModules : [];
      for (const module of modules) {
        if (!extensionModules.some((m) => m.module === module && m.file === reference.file)) {
          extensionModules.push({ module, file: reference.file });
        }
      }
      const pkgName = typeof meta.package === 'string' ? meta.package.toLowerCase() : '';
      if (pkgName === 'pybind11' || pkgName === 'nanobind') {
        wanted.push({
          group: 'build',
          declaration: synthetic(pkgName, `${reference.file}:${reference.line}`),
          origin: `CMake find_package(${meta.package})`,
        });
      }
      continue;
    }
    const module = typeof meta.module === 'string' ? meta.module : undefined;
    if (module === undefined || reference.kind !== 'python-command') continue;
    const top = module.split('.')[0]!;
    if (isStdlib(module) || NOT_DEPENDENCIES.has(top)) continue;
    const distribution = normalizeName(distributionFor(module).distribution);
    if (reference.adapter === 'cmake') {
      wanted.push({
        group: 'build',
        declaration: synthetic(distribution, `${reference.file}:${reference.line}`),
        origin: `CMake -m ${module}`,
      });
      continue;
    }
    if (declaredAnywhere.has(distribution) || localTop.has(top)) continue;
    if (extensionModules.some((m) => m.module === top)) continue;
    wanted.push({
      group: 'tools',
      declaration: synthetic(distribution, `${reference.file}:${reference.line}`),
      origin: `${reference.consumer} (-m ${module})`,
    });
  }

  for (const source of sources) {
    for (const problem of source.problems) notes.push(`${problem.source}: ${problem.message}`);
  }

  const { groups, conflicts } = assembleGroups(wanted);
  extensionModules.sort(
    (a, b) => compareStrings(a.module, b.module) || compareStrings(a.file, b.file),
  );

  // requires-python
  const rpSources = sources
    .filter((source) => source.requiresPython !== undefined)
    .sort((a, b) => compareStrings(a.file, b.file));
  const requiresPython = combineRequiresPython(
    rpSources.map((source) => source.requiresPython!.specifier),
    input.interpreterVersion,
  );
  const requiresPythonSources = rpSources.map(
    (source) => `${source.file}:${source.requiresPython!.line}`,
  );

  // PYTHONPATH entries that hold no file of the repository are build output directories.
  const paths = new Set<string>();
  const sourcePaths = new Set<string>();
  for (const reference of scan.references) {
    if (reference.kind !== 'pythonpath') continue;
    const entries = reference.meta?.paths;
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const normal = path.posix.normalize(entry).replace(/\/+$/, '');
      if (normal === '.' || normal.startsWith('..') || normal.startsWith('/')) continue;
      if (packageOf(packages, normal)?.dir === normal) continue;
      if (trackedDirectory(input.files, normal) || fileSet.has(normal)) sourcePaths.add(normal);
      else paths.add(normal);
    }
  }
  for (const dir of [...sourcePaths].sort(compareStrings)) {
    notes.push(
      `PYTHONPATH entry ${dir} holds the repository's own sources: left to the consumers that set it, not added to paths`,
    );
  }

  return {
    requiresPython,
    requiresPythonSources,
    groups,
    editables: [...packages.keys()].sort(compareStrings),
    paths: [...paths].sort(compareStrings),
    extensionModules,
    conflicts,
    notes: [...new Set(notes)].sort(compareStrings),
  };
}

function synthetic(name: string, source: string): DependencyDeclaration {
  return { requirement: name, name, specifier: '', source, context: '.', origin: 'import' };
}

function assembleGroups(wanted: readonly Wanted[]): {
  groups: PlannedGroup[];
  conflicts: DependencyConflict[];
} {
  const byGroup = new Map<string, Map<string, DependencyDeclaration[]>>();
  const origins = new Map<string, Set<string>>();
  for (const { group, declaration, origin } of wanted) {
    let names = byGroup.get(group);
    if (!names) {
      names = new Map();
      byGroup.set(group, names);
      origins.set(group, new Set());
    }
    origins.get(group)!.add(origin);
    const list = names.get(declaration.name) ?? [];
    list.push(declaration);
    names.set(declaration.name, list);
  }
  const groups: PlannedGroup[] = [];
  const chosen = new Map<string, Array<{ group: string; requirement: string }>>();
  const constraintsOf = new Map<string, Map<string, string>>();
  for (const [group, names] of [...byGroup].sort((a, b) => compareStrings(a[0], b[0]))) {
    const requirements: GroupRequirementPlan[] = [];
    for (const [name, declarations] of [...names].sort((a, b) => compareStrings(a[0], b[0]))) {
      const requirement = combine(name, declarations);
      requirements.push({
        requirement,
        name,
        sources: [...new Set(declarations.map((d) => d.source))].sort(compareStrings),
      });
      const list = chosen.get(name) ?? [];
      list.push({ group, requirement });
      chosen.set(name, list);
      const constraints = constraintsOf.get(name) ?? new Map<string, string>();
      for (const declaration of declarations) {
        if (declaration.origin === 'import') continue;
        const parsed = parseRequirement(declaration.requirement);
        const hasConstraint =
          parsed.ok &&
          (parsed.requirement.specifier !== '' ||
            parsed.requirement.url !== undefined ||
            parsed.requirement.marker !== undefined);
        if (hasConstraint) constraints.set(declaration.source, declaration.requirement);
      }
      constraintsOf.set(name, constraints);
    }
    groups.push({
      name: group,
      requirements,
      origins: [...origins.get(group)!].sort(compareStrings),
    });
  }
  const conflicts: DependencyConflict[] = [];
  for (const [name, constraints] of [...constraintsOf].sort((a, b) => compareStrings(a[0], b[0]))) {
    const distinct = new Set(
      [...constraints.values()].map((r) => {
        const parsed = parseRequirement(r);
        return parsed.ok
          ? `${parsed.requirement.specifier}|${parsed.requirement.url ?? ''}|${parsed.requirement.marker ?? ''}`
          : r;
      }),
    );
    if (distinct.size < 2) continue;
    const sources = [...constraints]
      .map(([source, requirement]) => ({ source, requirement }))
      .sort((a, b) => compareStrings(a.source, b.source));
    const picks = chosen.get(name)!;
    const groupList = picks.map((p) => p.group).join(', ');
    const written = [...new Set(picks.map((p) => p.requirement))].join('; ');
    conflicts.push({
      name,
      group: groupList,
      chosen: written,
      sources,
      message: `${name}: ${sources.map((s) => `${s.source} asks ${s.requirement}`).join(', ')}; writing ${written} (the lock must satisfy all of them)`,
    });
  }
  return { groups, conflicts };
}
