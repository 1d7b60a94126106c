import { normalizeName } from '../../core/pep508.js';
import type { DependencyDeclaration, DetectContext, DetectResult } from '../types.js';
import { distributionFor } from './import-names.js';
import { scanImports } from './imports.js';
import { contextOf } from './paths.js';
import { detectPyproject } from './pyproject.js';
import { detectRequirements } from './requirements.js';
import { detectScriptMetadata } from './script-metadata.js';
import { detectSetupCfg } from './setup-cfg.js';
import { FALLBACK_STDLIB_MODULES } from './stdlib.js';

/**
 * Dependency sources and the third-party imports of Python files. Pure: text in,
 * declarations out; never throws (a file it cannot read becomes a problem, or nothing).
 * A file whose name says nothing (`base.in`, reached through `-r base.in`) is read as a
 * requirements file: the core only hands such files over when an include names them.
 */

export type DependencyFileKind =
  | 'requirements'
  | 'constraints'
  | 'pyproject'
  | 'setup.cfg'
  | 'python';

/** `#!/usr/bin/env python3`, and PEP 723 scripts run by `uv run --script` or `pipx run`. */
const PYTHON_SHEBANG = /^#!.*(\bpython[0-9.]*(\s|$)|\buv run\b|\bpipx run\b)/;

/** Installed packages and vendored trees are not the repository's dependency sources. */
const VENDORED = /(^|\/)(site-packages|node_modules)(\/|$)/;

export function fileKind(file: string, firstLine: string): DependencyFileKind | undefined {
  const kind = kindByName(file, firstLine);
  return kind === undefined || VENDORED.test(file) ? undefined : kind;
}

// Every path a scan lists comes through here: the name decides first, cheaply.
function kindByName(file: string, firstLine: string): DependencyFileKind | undefined {
  const slash = file.lastIndexOf('/');
  const base = file.slice(slash + 1);
  if (base === 'pyproject.toml') return 'pyproject';
  if (base === 'setup.cfg') return 'setup.cfg';
  const dot = base.lastIndexOf('.');
  const extension = dot === -1 ? '' : base.slice(dot + 1).toLowerCase();
  if (extension === 'txt' || extension === 'in') {
    if (/(^|[-_.])constraints([-_.][^/]*)?\.(txt|in)$/i.test(base)) return 'constraints';
    if (/(^|[-_.])requirements([-_.][^/]*)?\.(txt|in)$/i.test(base)) return 'requirements';
    const parent =
      slash === -1 ? undefined : file.slice(file.lastIndexOf('/', slash - 1) + 1, slash);
    if (parent !== undefined && /^requirements(\.d)?$/i.test(parent)) return 'requirements';
    return undefined;
  }
  // setup.py's own imports are build tooling; its install_requires is code, not data.
  if (base === 'setup.py') return undefined;
  if (extension === 'py' || extension === 'pyw') return 'python';
  if (dot === -1 && PYTHON_SHEBANG.test(firstLine)) return 'python';
  return undefined;
}

export function detectDependencies(
  content: string,
  file: string,
  context: DetectContext,
  kind: DependencyFileKind = fileKind(file, firstLineOf(content)) ?? 'requirements',
): DetectResult | null {
  try {
    switch (kind) {
      case 'requirements':
      case 'constraints':
        return detectRequirements(content, file, context, { constraints: kind === 'constraints' });
      case 'pyproject':
        return detectPyproject(content, file, context);
      case 'setup.cfg':
        return detectSetupCfg(content, file, context);
      case 'python':
        return combine(
          detectScriptMetadata(content, file, context),
          detectImports(content, file, context),
        );
    }
  } catch {
    // The parsers are written not to throw; this keeps one odd file from stopping a scan.
    return null;
  }
}

function combine(metadata: DetectResult | null, imports: DetectResult | null): DetectResult | null {
  if (!metadata) return imports;
  if (!imports) return metadata;
  return {
    ...metadata,
    dependencies: [...(metadata.dependencies ?? []), ...(imports.dependencies ?? [])],
  };
}

function firstLineOf(content: string): string {
  const newline = content.indexOf('\n');
  return newline === -1 ? content : content.slice(0, newline);
}

/**
 * Third-party imports of a Python file: one declaration per distribution, at its first
 * import, with `meta.module` (what to import to check it) and `meta.optional` when every
 * import of it is guarded by `except ImportError`.
 */
export function detectImports(
  content: string,
  file: string,
  context: DetectContext,
): DetectResult | null {
  const stdlib = context.stdlibModules ?? FALLBACK_STDLIB_MODULES;
  const byName = new Map<string, DependencyDeclaration>();
  for (const record of scanImports(content)) {
    const top = record.importPath.split('.')[0]!;
    if (stdlib.has(top) || top === '__future__' || top === '__main__') continue;
    const { distribution, module } = distributionFor(record.importPath);
    const name = normalizeName(distribution);
    const seen = byName.get(name);
    if (seen) {
      if (!record.optional) delete seen.meta!.optional;
      continue;
    }
    const meta: Record<string, string | boolean> = { module };
    if (record.optional) meta.optional = true;
    byName.set(name, {
      requirement: distribution,
      name,
      specifier: '',
      source: `${file}:${record.line}`,
      context: contextOf(file),
      origin: 'import',
      meta,
    });
  }
  if (byName.size === 0) return null;
  return { references: [], dependencies: [...byName.values()] };
}
