import path from 'node:path';
import { dropLocalImports } from '../../adapters/python-deps/local-imports.js';
import type {
  Adapter,
  DependencyDeclaration,
  DependencySource,
  DetectContext,
  DetectResult,
  Reference,
} from '../../adapters/types.js';
import { checkInterrupted } from '../../util/exec.js';
import { listFiles } from './discover.js';
import {
  aggregateEnvironments,
  classifyReferences,
  compareDependencies,
  compareReferences,
  isSpecialEnvironment,
  type ScanResult,
  type SkippedFile,
  sortStrings,
} from './model.js';
import { drainQueue } from './pool.js';
import { MAX_FILE_BYTES, readFileText, SCRATCH_BYTES } from './read.js';
import { readUnifiedVenv } from './unified.js';
import { existingVenvs, findVenvDirs } from './venvs.js';

export interface ScanOptions {
  /** The adapters to run; every registered adapter by default. */
  adapters?: readonly Adapter[];
  /** Repo-relative unified venv; read from python/pyproject.toml by default. */
  unifiedVenv?: string;
  stdlibModules?: ReadonlySet<string>;
  /** Files read at once. */
  concurrency?: number;
  maxFileBytes?: number;
}

/**
 * Reads in flight at once. libuv runs file I/O on a small thread pool; a queue a few
 * times its size keeps it busy without holding many files in memory.
 */
const READ_CONCURRENCY = 16;

/** A file name with no extension ('Makefile', 'bin/setup', '.envrc') may be a shebang script. */
export function isExtensionless(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1).replace(/^\.+/, '');
  return !base.includes('.');
}

interface Job {
  file: string;
  /** Known from the name; undefined: read the first line, then ask the adapters. */
  adapters: Adapter[] | undefined;
}

function matching(adapters: readonly Adapter[], file: string, firstLine: string): Adapter[] {
  const out: Adapter[] = [];
  for (const adapter of adapters) if (adapter.matches(file, firstLine)) out.push(adapter);
  return out;
}

/**
 * Lists the repository's files, routes each to the adapters that read its kind, reads
 * them in parallel and runs the (pure, synchronous) adapters as each file arrives.
 * Reads only: nothing on disk changes.
 */
export async function scanRepository(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const adapters = options.adapters ?? (await import('../../adapters/index.js')).adapters;
  const maxFileBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  // The venv walk is only needed for the result: let it run while files are read.
  const walkedVenvs = findVenvDirs(root);
  walkedVenvs.catch(() => {});
  const [unifiedVenv, listing] = await Promise.all([
    options.unifiedVenv ?? readUnifiedVenv(root),
    listFiles(root),
  ]);
  const context: DetectContext = { unifiedVenv };
  if (options.stdlibModules) context.stdlibModules = options.stdlibModules;

  const references: Reference[] = [];
  const dependencies: DependencyDeclaration[] = [];
  const sources: Array<{ source: DependencySource; adapter: Adapter }> = [];
  const skipped: SkippedFile[] = [];
  const detected = new Set<string>();
  let filesRead = 0;

  function collect(adapter: Adapter, result: DetectResult | null): void {
    if (!result) return;
    for (const reference of result.references) references.push(reference);
    if (result.dependencies) {
      for (const dependency of result.dependencies) dependencies.push(dependency);
    }
    if (result.dependencySource) sources.push({ source: result.dependencySource, adapter });
  }

  function detect(adapter: Adapter, text: string, file: string): void {
    let result: DetectResult | null;
    try {
      result = adapter.detect(text, file, context);
    } catch (error) {
      // Adapters promise never to throw: one that does has a bug worth a report.
      throw new Error(`the ${adapter.name} adapter failed on ${file}`, { cause: error });
    }
    collect(adapter, result);
  }

  const scratchPool: Buffer[] = [];

  /**
   * Reads `file` once and runs `chosen` on it; with `chosen` undefined the adapters are
   * asked with the file's first line (shebang scripts) before the rest is read.
   */
  async function readAndDetect(
    file: string,
    chosen: readonly Adapter[] | undefined,
  ): Promise<void> {
    if (chosen) for (const adapter of chosen) detected.add(`${adapter.name}\0${file}`);
    let routed = chosen;
    const scratch = scratchPool.pop() ?? Buffer.allocUnsafe(SCRATCH_BYTES);
    let outcome: Awaited<ReturnType<typeof readFileText>>;
    try {
      outcome = await readFileText(path.join(root, file), {
        scratch,
        maxBytes: maxFileBytes,
        ...(chosen
          ? {}
          : {
              wanted: (firstLine: string) => {
                routed = matching(adapters, file, firstLine);
                return routed.length > 0;
              },
            }),
      });
    } finally {
      scratchPool.push(scratch);
    }
    if (!outcome || 'unwanted' in outcome) return;
    if ('skip' in outcome) {
      // An extensionless binary nobody would read by name is not worth a mention.
      if (routed || matching(adapters, file, '').length > 0) {
        skipped.push({ file, reason: outcome.skip });
      }
      return;
    }
    filesRead++;
    for (const adapter of routed!) detect(adapter, outcome.text, file);
  }

  const jobs: Job[] = [];
  for (const file of listing.files) {
    if (isExtensionless(file)) {
      jobs.push({ file, adapters: undefined });
      continue;
    }
    const chosen = matching(adapters, file, '');
    if (chosen.length > 0) jobs.push({ file, adapters: chosen });
  }

  await drainQueue(jobs, options.concurrency ?? READ_CONCURRENCY, async (job) => {
    checkInterrupted();
    await readAndDetect(job.file, job.adapters);
  });

  await followIncludes(sources, detected, readAndDetect);

  const scanReferences = classifyReferences(references, unifiedVenv).sort(compareReferences);
  const named = scanReferences
    .map((reference) => reference.environment)
    .filter((id) => !isSpecialEnvironment(id));
  const venvsOnDisk = new Set([...listing.venvs, ...(await walkedVenvs)]);
  for (const venv of await existingVenvs(
    root,
    named.filter((id) => !venvsOnDisk.has(id)),
  )) {
    venvsOnDisk.add(venv);
  }

  return {
    root,
    unifiedVenv,
    environments: aggregateEnvironments(scanReferences, (id) => path.resolve(root, id)),
    references: scanReferences,
    dependencies: dropLocalImports(
      dedupeDependencies(dependencies),
      listing.files,
      localModuleNames(
        sources.map((entry) => entry.source),
        references,
      ),
    ).sort(compareDependencies),
    dependencySources: sources
      .map((entry) => entry.source)
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    venvsOnDisk: sortStrings(venvsOnDisk),
    discovery: listing.discovery,
    filesListed: listing.files.length,
    filesRead,
    skipped: skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
  };
}

/**
 * `-r`/`-c` includes name files whose names no adapter would pick (`base.in`,
 * `constraints/ci.txt`): read each local one the adapter has not seen yet with the
 * adapter that found the include, following includes of includes.
 */
async function followIncludes(
  sources: Array<{ source: DependencySource; adapter: Adapter }>,
  detected: Set<string>,
  readAndDetect: (file: string, adapters: readonly Adapter[]) => Promise<void>,
): Promise<void> {
  let from = 0;
  while (from < sources.length) {
    const batch = sources.slice(from);
    from = sources.length;
    const pending = new Map<string, Adapter>();
    for (const { source, adapter } of batch) {
      for (const include of source.includes) {
        if (!include.local) continue;
        const file = include.path.replace(/\\/g, '/');
        if (file.startsWith('../') || path.isAbsolute(file)) continue;
        if (detected.has(`${adapter.name}\0${file}`)) continue;
        pending.set(`${adapter.name}\0${file}`, adapter);
      }
    }
    await Promise.all(
      [...pending].map(([key, adapter]) =>
        readAndDetect(key.slice(adapter.name.length + 1), [adapter]),
      ),
    );
  }
}

/**
 * Names an import may use for the repository's own code that no file name shows: the
 * local packages dependency files define (`replay` from replay/pyproject.toml), and the
 * extension modules the build makes (`pybind11_add_module(msd_reader …)`), which come
 * from a build directory, never from an index.
 */
function localModuleNames(
  sources: readonly DependencySource[],
  references: readonly Reference[],
): string[] {
  const names: string[] = [];
  for (const source of sources) if (source.package) names.push(source.package.name);
  for (const reference of references) {
    const modules = reference.meta?.extensionModules;
    if (Array.isArray(modules)) names.push(...modules);
  }
  return names;
}

function dedupeDependencies(dependencies: DependencyDeclaration[]): DependencyDeclaration[] {
  const seen = new Set<string>();
  return dependencies.filter((dependency) => {
    const key = `${dependency.name}\0${dependency.specifier}\0${dependency.source}\0${dependency.requirement}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
