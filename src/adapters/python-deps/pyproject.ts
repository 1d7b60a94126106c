import { parse as parseToml, TomlError } from 'smol-toml';
import { normalizeName, validSpecifier } from '../../core/pep508.js';
import type { DetectContext, DetectResult } from '../types.js';
import { environmentReference } from './environments.js';
import { directoryOf, resolveFrom } from './paths.js';
import { poetryToPep440, pythonMarker } from './poetry.js';
import { redactCredentials } from './redact.js';
import { SourceBuilder } from './source.js';
import { TomlPositions } from './toml-positions.js';

/**
 * pyproject.toml: [project] dependencies and optional-dependencies, PEP 735
 * [dependency-groups], Poetry's dependency tables, requires-python, the package the file
 * defines, and tool settings that name an environment (pyright venvPath/venv, mypy
 * python_executable).
 */

type Table = Record<string, unknown>;
type Meta = Record<string, string | boolean | string[]>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tableAt(data: unknown, path: string[]): Table | undefined {
  let current = data;
  for (const key of path) {
    if (!isTable(current)) return undefined;
    current = current[key];
  }
  return isTable(current) ? current : undefined;
}

export function detectPyproject(
  content: string,
  file: string,
  context: DetectContext,
): DetectResult | null {
  const builder = new SourceBuilder(file, 'pyproject', context);
  let data: Table;
  try {
    data = parseToml(content);
  } catch (error) {
    if (error instanceof TomlError) {
      const message = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      builder.problem(Math.max(1, error.line), `invalid TOML: ${message}`);
    } else {
      builder.problem(1, `invalid TOML: ${(error as Error).message}`);
    }
    return builder.result();
  }
  const positions = new TomlPositions(content);
  readProject(builder, data, positions);
  readDependencyGroups(builder, data, positions);
  readPoetry(builder, data, positions);
  readToolGroups(builder, data, positions);
  readUvSources(builder, data, positions);
  readToolEnvironments(builder, data, positions, content);
  return builder.result();
}

function readRequirementList(
  builder: SourceBuilder,
  positions: TomlPositions,
  path: string[],
  value: unknown,
  meta: Meta,
): void {
  const where = path.join('.');
  if (!Array.isArray(value)) {
    builder.problem(positions.keyLine(path), `${where} must be an array of requirement strings`);
    return;
  }
  const strings = value.filter((entry): entry is string => typeof entry === 'string');
  const lines = positions.valueLines(path, strings);
  strings.forEach((entry, i) => {
    const clean = redactCredentials(entry);
    const extra: Meta = clean === entry ? meta : { ...meta, redacted: true };
    builder.requirement(clean, lines[i]!, extra);
  });
  if (strings.length !== value.length && !path.includes('dependency-groups')) {
    builder.problem(positions.keyLine(path), `${where} holds a value that is not a string`);
  }
}

function readProject(builder: SourceBuilder, data: Table, positions: TomlPositions): void {
  const project = tableAt(data, ['project']);
  const buildSystem = tableAt(data, ['build-system']);
  const backend = buildSystem?.['build-backend'];
  if (typeof project?.name === 'string') {
    builder.source.package = { name: project.name, line: positions.keyLine(['project', 'name']) };
    if (typeof backend === 'string') builder.source.package.buildBackend = backend;
  }
  const requiresPython = project?.['requires-python'];
  if (typeof requiresPython === 'string') {
    readRequiresPython(builder, requiresPython, positions.keyLine(['project', 'requires-python']));
  }
  if (project?.dependencies !== undefined) {
    readRequirementList(builder, positions, ['project', 'dependencies'], project.dependencies, {});
  }
  const optional = project?.['optional-dependencies'];
  if (isTable(optional)) {
    for (const [extra, list] of Object.entries(optional)) {
      const path = ['project', 'optional-dependencies', extra];
      readRequirementList(builder, positions, path, list, { extra });
    }
  }
  // Dependencies declared dynamic and read by setuptools from files: includes, like -r.
  const dynamic = tableAt(data, ['tool', 'setuptools', 'dynamic']);
  const dir = directoryOf(builder.file);
  for (const key of ['dependencies', 'optional-dependencies']) {
    const spec = dynamic?.[key];
    const files: [string[], unknown][] = [];
    if (key === 'dependencies' && isTable(spec)) files.push([[key, 'file'], spec.file]);
    if (key === 'optional-dependencies' && isTable(spec)) {
      for (const [extra, value] of Object.entries(spec)) {
        if (isTable(value)) files.push([[key, extra, 'file'], value.file]);
      }
    }
    for (const [path, value] of files) {
      const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
      const full = ['tool', 'setuptools', 'dynamic', ...path];
      const strings = list.filter((entry): entry is string => typeof entry === 'string');
      const lines = positions.valueLines(full, strings);
      strings.forEach((written, i) => {
        builder.source.includes.push({
          kind: 'requirements',
          path: resolveFrom(dir, written),
          written,
          local: true,
          line: lines[i]!,
        });
      });
    }
  }
}

function readRequiresPython(builder: SourceBuilder, value: string, line: number): void {
  const specifier = value.replace(/\s+/g, '');
  if (specifier === '' || !validSpecifier(specifier)) {
    builder.problem(line, `requires-python '${value}' is not a PEP 440 version specifier`);
    return;
  }
  builder.source.requiresPython = { specifier, line };
}

function readDependencyGroups(builder: SourceBuilder, data: Table, positions: TomlPositions): void {
  const groups = tableAt(data, ['dependency-groups']);
  if (!groups) return;
  const names = new Map(Object.keys(groups).map((name) => [normalizeName(name), name]));
  const includes = new Map<string, string[]>();
  for (const [group, list] of Object.entries(groups)) {
    const path = ['dependency-groups', group];
    readRequirementList(builder, positions, path, list, { group });
    if (!Array.isArray(list)) continue;
    const targets: string[] = [];
    for (const entry of list) {
      if (typeof entry === 'string') continue;
      const include = isTable(entry) ? entry['include-group'] : undefined;
      if (typeof include !== 'string') {
        builder.problem(
          positions.keyLine(path),
          `dependency-groups.${group} holds an entry that is neither a requirement nor {include-group = "…"}`,
        );
        continue;
      }
      const line = positions.valueLines(path, [include])[0]!;
      const target = names.get(normalizeName(include));
      if (target === undefined) {
        builder.problem(
          line,
          `dependency-groups.${group} includes '${include}', which is no group`,
        );
        continue;
      }
      builder.source.groupIncludes.push({ group, include: target, line });
      targets.push(target);
    }
    includes.set(group, targets);
  }
  reportIncludeCycles(builder, includes);
}

function reportIncludeCycles(builder: SourceBuilder, includes: Map<string, string[]>): void {
  const done = new Set<string>();
  function visit(group: string, stack: string[]): void {
    if (stack.includes(group)) {
      const cycle = [...stack.slice(stack.indexOf(group)), group];
      const line = builder.source.groupIncludes.find((g) => g.group === stack.at(-1))?.line ?? 1;
      builder.problem(line, `dependency-groups include each other: ${cycle.join(' -> ')}`);
      return;
    }
    if (done.has(group)) return;
    for (const target of includes.get(group) ?? []) visit(target, [...stack, group]);
    done.add(group);
  }
  for (const group of includes.keys()) visit(group, []);
}

function readPoetry(builder: SourceBuilder, data: Table, positions: TomlPositions): void {
  const poetry = tableAt(data, ['tool', 'poetry']);
  if (!poetry) return;
  if (builder.source.package === undefined && typeof poetry.name === 'string') {
    builder.source.package = {
      name: poetry.name,
      line: positions.keyLine(['tool', 'poetry', 'name']),
    };
    const backend = tableAt(data, ['build-system'])?.['build-backend'];
    if (typeof backend === 'string') builder.source.package.buildBackend = backend;
  }
  const tables: [string[], Meta][] = [[['tool', 'poetry', 'dependencies'], {}]];
  if (isTable(poetry['dev-dependencies'])) {
    tables.push([['tool', 'poetry', 'dev-dependencies'], { group: 'dev' }]);
  }
  const groups = tableAt(poetry, ['group']);
  for (const group of Object.keys(groups ?? {})) {
    tables.push([['tool', 'poetry', 'group', group, 'dependencies'], { group }]);
  }
  for (const [path, meta] of tables) {
    const table = tableAt(data, path);
    if (!table) continue;
    for (const [name, spec] of Object.entries(table)) {
      const line = positions.keyLine([...path, name]);
      if (name === 'python' && path.length === 3 && path[2] === 'dependencies') {
        readPoetryPython(builder, spec, line);
        continue;
      }
      const alternatives = Array.isArray(spec) ? spec : [spec];
      for (const alternative of alternatives) {
        readPoetryDependency(builder, name, alternative, line, meta);
      }
    }
  }
}

function readPoetryPython(builder: SourceBuilder, spec: unknown, line: number): void {
  if (typeof spec !== 'string') return;
  const converted = poetryToPep440(spec);
  if (!converted.ok) {
    builder.problem(line, `python = '${spec}': ${converted.error}`);
    return;
  }
  // [project] requires-python, when both are written, is the standard one and wins.
  if (builder.source.requiresPython === undefined && converted.specifier !== '') {
    builder.source.requiresPython = { specifier: converted.specifier, line };
  }
}

function readPoetryDependency(
  builder: SourceBuilder,
  name: string,
  spec: unknown,
  line: number,
  meta: Meta,
): void {
  const table: Table = isTable(spec) ? spec : { version: spec };
  const extra: Meta = { ...meta };
  if (typeof table.path === 'string') {
    const dir = directoryOf(builder.file);
    builder.source.directInstalls.push({
      written: table.path,
      paths: [resolveFrom(dir, table.path)],
      editable: table.develop === true,
      line,
    });
    return;
  }
  let url: string | undefined;
  if (typeof table.git === 'string') {
    const ref = [table.rev, table.tag, table.branch].find((r) => typeof r === 'string');
    url = `git+${table.git}${ref === undefined ? '' : `@${ref}`}`;
  } else if (typeof table.url === 'string') {
    url = table.url;
  }
  let specifier = '';
  if (url === undefined) {
    const version = typeof table.version === 'string' ? table.version : '*';
    const converted = poetryToPep440(version);
    if (!converted.ok) {
      builder.problem(line, `${name} = '${version}': ${converted.error}`);
      extra.unconverted = true;
    } else {
      specifier = converted.specifier;
    }
    if (version !== '*') extra.poetry = version;
  }
  const markers: string[] = [];
  if (typeof table.markers === 'string') markers.push(table.markers);
  if (typeof table.python === 'string') {
    const python = poetryToPep440(table.python);
    if (python.ok && python.specifier !== '') markers.push(pythonMarker(python.specifier));
    else if (!python.ok)
      builder.problem(line, `${name} python = '${table.python}': ${python.error}`);
  }
  if (table.optional === true) extra.optional = true;
  const extras = Array.isArray(table.extras)
    ? table.extras.filter((e): e is string => typeof e === 'string')
    : [];
  let requirement = name + (extras.length > 0 ? `[${extras.join(',')}]` : '');
  requirement += url === undefined ? specifier : ` @ ${redactCredentials(url)}`;
  if (markers.length === 1) requirement += `; ${markers[0]}`;
  if (markers.length > 1) requirement += `; ${markers.map((m) => `(${m})`).join(' and ')}`;
  if (url !== undefined && redactCredentials(url) !== url) extra.redacted = true;
  builder.requirement(requirement, line, extra);
}

/** Development groups of uv (before PEP 735) and PDM, in PEP 508 already. */
function readToolGroups(builder: SourceBuilder, data: Table, positions: TomlPositions): void {
  const uvDev = tableAt(data, ['tool', 'uv'])?.['dev-dependencies'];
  if (uvDev !== undefined) {
    readRequirementList(builder, positions, ['tool', 'uv', 'dev-dependencies'], uvDev, {
      group: 'dev',
    });
  }
  const pdm = tableAt(data, ['tool', 'pdm', 'dev-dependencies']);
  for (const [group, list] of Object.entries(pdm ?? {})) {
    readRequirementList(builder, positions, ['tool', 'pdm', 'dev-dependencies', group], list, {
      group,
    });
  }
}

/**
 * `[tool.uv.sources]` says where a named dependency comes from. A path or workspace
 * source is the repository's own package: its declarations get meta.localSource, and a
 * path becomes a direct install like `-e ../lib`.
 */
function readUvSources(builder: SourceBuilder, data: Table, positions: TomlPositions): void {
  const sources = tableAt(data, ['tool', 'uv', 'sources']);
  if (!sources) return;
  const local = new Set<string>();
  const dir = directoryOf(builder.file);
  for (const [name, spec] of Object.entries(sources)) {
    if (!isTable(spec)) continue;
    const line = positions.keyLine(['tool', 'uv', 'sources', name]);
    if (typeof spec.path === 'string') {
      local.add(normalizeName(name));
      builder.source.directInstalls.push({
        written: spec.path,
        paths: [resolveFrom(dir, spec.path)],
        editable: spec.editable === true,
        line,
      });
    } else if (spec.workspace === true) {
      local.add(normalizeName(name));
    }
  }
  for (const dependency of builder.dependencies) {
    if (local.has(dependency.name)) dependency.meta = { ...dependency.meta, localSource: true };
  }
}

function readToolEnvironments(
  builder: SourceBuilder,
  data: Table,
  positions: TomlPositions,
  content: string,
): void {
  for (const tool of ['pyright', 'basedpyright']) {
    const settings = tableAt(data, ['tool', tool]);
    if (typeof settings?.venv !== 'string') continue;
    const venvPath = typeof settings.venvPath === 'string' ? settings.venvPath : '.';
    const value = positions.valueString(['tool', tool, 'venv']);
    if (!value) continue;
    builder.references.push(
      environmentReference(
        content,
        builder.file,
        value,
        {
          venv: `${venvPath.replace(/\/+$/, '')}/${settings.venv}`,
          consumer: `${tool} settings ${builder.file}`,
        },
        positions.lines,
      ),
    );
  }
  const mypy = tableAt(data, ['tool', 'mypy']);
  if (typeof mypy?.python_executable === 'string') {
    const value = positions.valueString(['tool', 'mypy', 'python_executable']);
    if (value) {
      builder.references.push(
        environmentReference(
          content,
          builder.file,
          value,
          { interpreter: mypy.python_executable, consumer: `mypy settings ${builder.file}` },
          positions.lines,
        ),
      );
    }
  }
}
