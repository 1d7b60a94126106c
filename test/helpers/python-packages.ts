import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Source packages for hermetic tests: written from these specs into a directory and
 * built into real wheels by real pip (see wheelhouse.ts), with the stdlib-only build
 * backend in test/fixtures/tiny-backend.
 */

export interface PackageSpec {
  name: string;
  version: string;
  requires?: string[];
  requiresPython?: string;
  /** Module files under src/, path → content. Default: one module named after the dist. */
  modules?: Record<string, string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const backendDir = path.resolve(here, '../fixtures/tiny-backend');

function moduleName(name: string): string {
  return name.toLowerCase().replace(/[-.]+/g, '_');
}

function defaultModules(spec: PackageSpec): Record<string, string> {
  const module = moduleName(spec.name);
  return {
    [`${module}/__init__.py`]: `__version__ = ${JSON.stringify(spec.version)}\nNAME = ${JSON.stringify(spec.name)}\n`,
  };
}

const fillers: PackageSpec[] = Array.from({ length: 14 }, (_, i) => {
  const n = String(i + 1).padStart(2, '0');
  return { name: `filler-${n}`, version: '1.0.0' };
});

/** The hermetic package index: every test resolves against these and nothing else. */
export const testPackages: PackageSpec[] = [
  { name: 'alpha', version: '1.0.0' },
  { name: 'alpha', version: '1.1.0' },
  { name: 'alpha', version: '2.0.0' },
  { name: 'beta', version: '1.0.0', requires: ['alpha>=1.0,<2'] },
  { name: 'gamma', version: '0.5.0', requires: ['beta>=1.0'] },
  { name: 'delta', version: '3.0.0', requires: ['alpha==2.0.0'] },
  {
    name: 'tiny-sitter',
    version: '0.21.0',
    modules: { 'tiny_sitter/__init__.py': 'LANGUAGES = ["cpp"]\n' },
  },
  {
    name: 'tiny-sitter-cpp',
    version: '0.22.0',
    requires: ['tiny-sitter>=0.21'],
    modules: { 'tiny_sitter_cpp/__init__.py': 'import tiny_sitter\n' },
  },
  {
    name: 'twomods',
    version: '1.0.0',
    modules: { 'twomods_a/__init__.py': '', 'twomods_b.py': 'VALUE = 2\n' },
  },
  {
    name: 'broken-import',
    version: '1.0.0',
    modules: {
      'broken_import/__init__.py': 'raise ImportError("broken_import is broken on purpose")\n',
    },
  },
  { name: 'future-only', version: '1.0.0', requiresPython: '>=3.99' },
  // A metapackage: no module of its own, like fastmcp 4 (its code is in fastmcp-slim).
  {
    name: 'meta-alpha',
    version: '1.0.0',
    requires: ['alpha>=1,<2', 'delta; extra == "more"'],
    modules: {},
  },
  ...fillers,
  { name: 'many', version: '1.0.0', requires: fillers.map((f) => `${f.name}>=1.0`) },
];

/** Writes one source package (pyproject + tiny-package.json + src/) into `dir`. */
export async function writeSourcePackage(dir: string, spec: PackageSpec): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, 'pyproject.toml'),
    [
      '[build-system]',
      'requires = []',
      'build-backend = "tiny_backend"',
      'backend-path = ["."]',
      '',
    ].join('\n'),
  );
  // PEP 517 wants the backend inside the source tree.
  await fs.copyFile(path.join(backendDir, 'tiny_backend.py'), path.join(dir, 'tiny_backend.py'));
  const metadata: Record<string, unknown> = { name: spec.name, version: spec.version };
  if (spec.requires) metadata.requires = spec.requires;
  if (spec.requiresPython) metadata.requires_python = spec.requiresPython;
  await fs.writeFile(path.join(dir, 'tiny-package.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  for (const [file, content] of Object.entries(spec.modules ?? defaultModules(spec))) {
    const target = path.join(dir, 'src', file);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
  }
}

/** Changes whenever the specs or the backend change, so a cached wheelhouse is rebuilt. */
export function packagesFingerprint(): string {
  const backend = readFileSync(path.join(backendDir, 'tiny_backend.py'), 'utf8');
  return createHash('sha256')
    .update(JSON.stringify(testPackages))
    .update(backend)
    .digest('hex')
    .slice(0, 16);
}
