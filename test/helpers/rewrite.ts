import type { Adapter } from '../../src/adapters/types.js';
import { applyEdits } from '../../src/core/adopt/apply-edits.js';
import type { AdoptFacts, RewriteResult, Rewriter } from '../../src/core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../src/core/scan/model.js';

/**
 * Runs one rewriter the way adopt does, without a repository: detect, rewrite, splice,
 * detect again. For rewriter tests (`src/adapters/<name>/rewrite.test.ts`).
 */

export function adoptFacts(overrides: Partial<AdoptFacts> = {}): AdoptFacts {
  return {
    root: '/repo',
    unifiedVenv: 'python/.venv',
    interpreter: 'python/.venv/bin/python3',
    setupScript: 'python/setup.sh',
    configFile: 'python/pyproject.toml',
    lockFile: 'python/requirements.txt',
    readme: 'python/README.md',
    options: { docs: false },
    replacedVenvs: [],
    venvsOnDisk: [],
    declaredPackages: [],
    editables: [],
    paths: [],
    references: [],
    ...overrides,
  };
}

export function detectReferences(
  adapter: Adapter,
  text: string,
  file: string,
  unifiedVenv = 'python/.venv',
): ScanReference[] {
  return classifyReferences(
    adapter.detect(text, file, { unifiedVenv })?.references ?? [],
    unifiedVenv,
  );
}

export interface RewriteRun {
  result: RewriteResult;
  /** The file's text after the edits (the same text when there are none). */
  text: string;
  before: ScanReference[];
  after: ScanReference[];
}

export function runRewriter(
  adapter: Adapter,
  rewriter: Rewriter,
  text: string,
  file: string,
  options: { facts?: Partial<AdoptFacts>; exists?: boolean } = {},
): RewriteRun {
  const facts = adoptFacts(options.facts);
  const before = detectReferences(adapter, text, file, facts.unifiedVenv);
  const result = rewriter.rewrite(text, before, {
    ...facts,
    references: facts.references.length > 0 ? facts.references : before,
    file,
    exists: options.exists ?? true,
  });
  const applied = applyEdits(text, result.edits);
  if (!applied.ok) throw new Error(applied.message);
  return {
    result,
    text: applied.text,
    before,
    after: detectReferences(adapter, applied.text, file, facts.unifiedVenv),
  };
}
