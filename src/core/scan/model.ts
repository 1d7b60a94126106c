import {
  type DependencyDeclaration,
  type DependencySource,
  ENV_FIND_PACKAGE,
  ENV_PATH_PYTHON,
  ENV_SYSTEM,
  ENV_UNKNOWN,
  type Reference,
  type SkipReason,
} from '../../adapters/types.js';

/** A reference as scan reports it: the adapter's facts plus whether it is already unified. */
export interface ScanReference extends Reference {
  unified: boolean;
}

export interface Environment {
  /** Environment id: a repo-relative venv directory or one of the special ids. */
  id: string;
  /** Absolute directory for a venv of the repository; null for the special ids. */
  path: string | null;
  /** Every consumer that names it, sorted. */
  consumers: string[];
}

export type FileSkipReason = 'binary' | 'too-large' | 'unreadable';

export interface SkippedFile {
  file: string;
  reason: FileSkipReason;
}

export interface ScanResult {
  /** Absolute repository root. */
  root: string;
  /** Repo-relative unified venv ('python/.venv' unless configured otherwise). */
  unifiedVenv: string;
  /** Sorted by consumer count (most first), then id. */
  environments: Environment[];
  /** Sorted by file, line, column. */
  references: ScanReference[];
  dependencies: DependencyDeclaration[];
  dependencySources: DependencySource[];
  /** Repo-relative directories holding a pyvenv.cfg, sorted. */
  venvsOnDisk: string[];
  /** How the file list was made. */
  discovery: 'git' | 'walk';
  /** Files listed for the scan (after venv contents were left out). */
  filesListed: number;
  /** Files read and given to at least one adapter. */
  filesRead: number;
  skipped: SkippedFile[];
}

const SPECIAL_ENVIRONMENTS: ReadonlySet<string> = new Set([
  ENV_FIND_PACKAGE,
  ENV_PATH_PYTHON,
  ENV_SYSTEM,
  ENV_UNKNOWN,
]);

export function isSpecialEnvironment(id: string): boolean {
  return SPECIAL_ENVIRONMENTS.has(id);
}

/**
 * Venv ids are compared as paths, so './scripts/.venv/' from one adapter and
 * 'scripts/.venv' from another are the same environment.
 */
export function normalizeEnvironment(id: string): string {
  if (isSpecialEnvironment(id)) return id;
  let out = id.replace(/\\/g, '/');
  // Collapse '.', '..' and repeated slashes without touching a leading '..' (outside the repo).
  const parts: string[] = [];
  for (const part of out.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  const absolute = out.startsWith('/') ? '/' : '';
  out = absolute + parts.join('/');
  return out === '' ? '.' : out;
}

/**
 * Skip reasons that `--check` forgives: prose is reported but not a consumer, and an
 * interpreter on another host (a container image, a remote) is not ours to move.
 */
const CHECK_EXEMPT: ReadonlySet<SkipReason> = new Set(['documentation', 'external-interpreter']);

/** Does this reference make `scan --check` fail? */
export function failsCheck(reference: ScanReference): boolean {
  if (reference.unified) return false;
  // An ignore rule makes nobody run the wrong Python; it is listed for cleaning up only.
  if (reference.kind === 'gitignore-entry') return false;
  // actions/setup-python provides the system python3 that python/setup.sh builds from.
  if (reference.kind === 'setup-python') return false;
  return reference.skipReason === undefined || !CHECK_EXEMPT.has(reference.skipReason);
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Code-unit order, never locale order, so output is identical on every machine. */
export function compareReferences(a: Reference, b: Reference): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.span.end - b.span.end ||
    compareStrings(a.adapter, b.adapter) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.environment, b.environment) ||
    compareStrings(a.consumer, b.consumer)
  );
}

function splitSource(source: string): [string, number] {
  const index = source.lastIndexOf(':');
  if (index === -1) return [source, 0];
  const line = Number(source.slice(index + 1));
  return Number.isInteger(line) ? [source.slice(0, index), line] : [source, 0];
}

export function compareDependencies(a: DependencyDeclaration, b: DependencyDeclaration): number {
  const [fileA, lineA] = splitSource(a.source);
  const [fileB, lineB] = splitSource(b.source);
  return (
    compareStrings(a.name, b.name) ||
    compareStrings(fileA, fileB) ||
    lineA - lineB ||
    compareStrings(a.specifier, b.specifier) ||
    compareStrings(a.requirement, b.requirement)
  );
}

/** Marks each reference unified or not; environment ids normalised. */
export function classifyReferences(references: Reference[], unifiedVenv: string): ScanReference[] {
  const unified = normalizeEnvironment(unifiedVenv);
  return references.map((reference) => {
    const environment = normalizeEnvironment(reference.environment);
    return { ...reference, environment, unified: environment === unified };
  });
}

/** One entry per environment named by any reference, with the consumers that name it. */
export function aggregateEnvironments(
  references: ScanReference[],
  resolvePath: (id: string) => string,
): Environment[] {
  const consumers = new Map<string, Set<string>>();
  for (const reference of references) {
    let set = consumers.get(reference.environment);
    if (!set) {
      set = new Set();
      consumers.set(reference.environment, set);
    }
    set.add(reference.consumer);
  }
  const environments: Environment[] = [];
  for (const [id, set] of consumers) {
    environments.push({
      id,
      path: isSpecialEnvironment(id) ? null : resolvePath(id),
      consumers: [...set].sort(compareStrings),
    });
  }
  return environments.sort(
    (a, b) => b.consumers.length - a.consumers.length || compareStrings(a.id, b.id),
  );
}

export function sortStrings(values: Iterable<string>): string[] {
  return [...values].sort(compareStrings);
}
