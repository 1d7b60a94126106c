import type { RewriteContext } from '../../core/adopt/types.js';
import { normalizeName } from '../../core/pep508.js';
import type { ScanReference } from '../../core/scan/model.js';
import { UNKNOWN } from '../../core/shell/index.js';

/**
 * What the user reads for a reference left as it is, whether the lock holds an install,
 * and which PYTHONPATH entries the venv does not provide.
 */

export function skipReasonText(
  reference: ScanReference,
  context: Pick<RewriteContext, 'unifiedVenv' | 'interpreter' | 'setupScript'>,
): string {
  switch (reference.skipReason) {
    case 'contains-variable':
      return `built from a variable onevenv cannot resolve: point it at ${context.unifiedVenv} by hand`;
    case 'external-interpreter':
      return `names ${reference.environment}, outside the repository: left as it is`;
    case 'parse-error':
      return 'the file could not be parsed: fix it and run adopt again';
    case 'documentation':
      return 'documentation: rewritten only with adopt --docs';
    default:
      if (reference.meta?.runner === 'uv run') {
        return `uv run picks the venv of the nearest pyproject.toml: call ${context.interpreter} instead`;
      }
      if (reference.kind === 'venv-create') {
        return `creates a venv onevenv cannot locate: replace it with ${context.setupScript} by hand`;
      }
      return `onevenv does not rewrite this form: move it to ${context.unifiedVenv} by hand`;
  }
}

/** Packages setup.sh brings along with the lock. */
const INSTALLER_PACKAGES = new Set(['pip', 'setuptools', 'wheel', 'uv']);
/** Options that install somewhere other than the environment. */
const ELSEWHERE = /^(?:--user|--target|-t|--prefix|--root)(?:=|$)|^-t./;
function metaList(reference: ScanReference, key: string): string[] {
  const value = reference.meta?.[key];
  return Array.isArray(value) ? value : [];
}

function stripExtras(path: string): string {
  return path.replace(/\[[^\]]*\]$/, '').replace(/\/+$/, '') || '.';
}

/**
 * What of a `pip install` the lock does not hold (empty: it holds everything): packages
 * nothing declares, editables of packages that are not local editables, remote or
 * variable requirement files. Requirement files in the repository were merged into the
 * declaration by adopt.
 */
function uncoveredInstalls(reference: ScanReference, context: RewriteContext): string[] {
  const declared = new Set(context.declaredPackages);
  const editables = new Set(context.editables);
  const missing: string[] = [];
  for (const path of metaList(reference, 'requirements')) {
    if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(path) || path.includes('$') || path.includes(UNKNOWN))
      missing.push(`-r ${path}`);
    else if (path.startsWith('/') || path.startsWith('..')) missing.push(`-r ${path}`);
  }
  for (const path of metaList(reference, 'editables')) {
    if (!editables.has(stripExtras(path))) missing.push(`-e ${path}`);
  }
  for (const spec of metaList(reference, 'packages')) {
    const local = /[/\\]|^\.\.?(?:\[|$)/.test(spec) && !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(spec);
    if (local) {
      if (!editables.has(stripExtras(spec))) missing.push(spec);
      continue;
    }
    const name = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/.exec(spec.trim())?.[0];
    const normalized = name === undefined ? undefined : normalizeName(name);
    if (
      normalized === undefined ||
      !(declared.has(normalized) || INSTALLER_PACKAGES.has(normalized))
    ) {
      missing.push(spec);
    }
  }
  const anything =
    metaList(reference, 'requirements').length +
    metaList(reference, 'editables').length +
    metaList(reference, 'packages').length;
  if (anything === 0) missing.push('(nothing onevenv can tell)');
  return missing;
}

/**
 * Why a `pip install` stays (undefined: the lock holds all it installs, into the venv):
 * what nothing declares, or an install outside any venv (`--user`, `--target`).
 */
export function installStays(
  reference: ScanReference,
  words: readonly { value: string }[],
  context: RewriteContext,
): string | undefined {
  const elsewhere = words.find((w) => ELSEWHERE.test(w.value));
  if (elsewhere !== undefined) {
    return `installs with ${elsewhere.value}, outside any venv: left as it is`;
  }
  const missing = uncoveredInstalls(reference, context);
  if (missing.length === 0) return undefined;
  return `installs ${missing.join(', ')}, which ${context.configFile} does not declare: add ${missing.length === 1 ? 'it' : 'them'} (onevenv add), then remove this install`;
}

/** PYTHONPATH entries (`meta.paths`) the venv's .pth does not provide. */
export function uncoveredPaths(
  reference: ScanReference,
  context: Pick<RewriteContext, 'paths'>,
): string[] {
  const paths = new Set(context.paths);
  return metaList(reference, 'paths').filter((path) => !paths.has(path));
}
