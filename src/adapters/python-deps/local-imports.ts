import { normalizeName } from '../../core/pep508.js';
import type { DependencyDeclaration } from '../types.js';
import { directoryOf } from './paths.js';

/**
 * The adapter sees one file at a time, so it reports every import that is not in the
 * standard library. Whether an import is the repository's own code needs the file list;
 * the core calls this once per scan to drop those.
 *
 * An import `m` in file `f` is local when a module or package `m` (m.py, m/ with Python
 * files, a compiled m.*.so / m.pyd) exists in a directory Python would search for it:
 * - the directory of `f` (a script run directly, or a sibling module),
 * - the directory above `f`'s top-level package (when `f`'s directory has __init__.py),
 * - the nearest directory above `f` holding pyproject.toml, setup.py or setup.cfg, and
 *   its src/ (a project run with `python -m` or tested with pytest from there),
 * - the repository root (tools run from the root with `python -m`).
 * It is also local when `m`, or the distribution it maps to, is in `localNames` (names the
 * core knows from elsewhere: local packages' project names, pybind11 modules built by
 * CMake into a build directory).
 */
export function dropLocalImports(
  dependencies: DependencyDeclaration[],
  files: Iterable<string>,
  localNames: Iterable<string> = [],
): DependencyDeclaration[] {
  const index = indexModules(files);
  const names = new Set([...localNames].map(normalizeName));
  return dependencies.filter((dependency) => {
    if (dependency.origin !== 'import') return true;
    const module = String(dependency.meta?.module ?? dependency.name).split('.')[0]!;
    if (names.has(normalizeName(module)) || names.has(dependency.name)) return false;
    const file = dependency.source.slice(0, dependency.source.lastIndexOf(':'));
    return !searchPath(file, index).some((dir) => index.modules.has(`${dir}\0${module}`));
  });
}

interface ModuleIndex {
  /** `${directory}\0${module}` for every module or package found in a directory. */
  modules: Set<string>;
  /** Directories with an __init__.py. */
  packages: Set<string>;
  /** Directories with pyproject.toml, setup.py or setup.cfg. */
  projects: Set<string>;
}

function indexModules(files: Iterable<string>): ModuleIndex {
  const index: ModuleIndex = { modules: new Set(), packages: new Set(), projects: new Set() };
  for (const file of files) {
    const dir = directoryOf(file);
    const base = file.slice(file.lastIndexOf('/') + 1);
    if (base === 'pyproject.toml' || base === 'setup.py' || base === 'setup.cfg') {
      index.projects.add(dir);
    }
    const module = /^([A-Za-z_][A-Za-z0-9_]*)(\.[^.]+)*\.(py|pyi|pyw|so|pyd)$/.exec(base);
    if (!module) continue;
    index.modules.add(`${dir}\0${module[1]}`);
    if (base === '__init__.py') index.packages.add(dir);
    if (dir !== '.') {
      // A directory holding Python files is a package (regular or namespace) of its parent.
      const name = dir.slice(dir.lastIndexOf('/') + 1);
      index.modules.add(`${directoryOf(dir)}\0${name}`);
    }
  }
  return index;
}

function searchPath(file: string, index: ModuleIndex): string[] {
  const dir = directoryOf(file);
  const dirs = [dir];
  let top = dir;
  while (top !== '.' && index.packages.has(top)) top = directoryOf(top);
  if (top !== dir) dirs.push(top);
  for (let current = dir; ; current = directoryOf(current)) {
    if (index.projects.has(current)) {
      dirs.push(current, current === '.' ? 'src' : `${current}/src`);
      break;
    }
    if (current === '.') break;
  }
  dirs.push('.');
  return dirs;
}
