import fc from 'fast-check';
import { expect } from 'vitest';
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

/**
 * Every reference is on the unified venv or gone, skipped ones apart; a second run
 * (`again`, on the rewritten text) changes nothing.
 */
export function expectRewriteSettled(run: RewriteRun, again: (text: string) => RewriteRun): void {
  const skipped = run.result.skipped.map((entry) => entry.reference.text);
  const off = run.after.filter((ref) => !ref.unified).map((ref) => ref.text);
  expect(off).toEqual(skipped);
  expect(again(run.text).result.edits).toEqual([]);
}

/** What stays off the venv after the rewrite is what the rewriter said it leaves. */
export function expectOnlySkippedLeft(run: RewriteRun): void {
  const left = run.result.skipped.map((entry) => entry.reference.text);
  for (const ref of run.after.filter((r) => !r.unified)) {
    const at = left.indexOf(ref.text);
    expect(at, `${ref.text} is off the venv and not skipped`).not.toBe(-1);
    left.splice(at, 1);
  }
}

/** [text, reason] of each reference the rewriter left alone. */
export function skips(run: RewriteRun): [string, string][] {
  return run.result.skipped.map((s) => [s.reference.text, s.reason]);
}

/** Shell command lines of every shape the rewriters meet, joined every way the shell allows. */
const COMMANDS = [
  'python3 -m venv .venv',
  'python3 -m venv scripts/.venv',
  'virtualenv .venv',
  'uv venv',
  'source scripts/.venv/bin/activate',
  '. .venv/bin/activate',
  'cd replay && . .venv/bin/activate',
  'pip install -r requirements.txt',
  'pip install fastapi',
  'scripts/.venv/bin/pip install fastapi',
  '.venv/bin/pip install -e replay',
  'sudo pip install -e replay > /dev/null',
  'uv pip install -r r.txt',
  'python3 -m pip install --upgrade pip',
  'scripts/.venv/bin/python x.py',
  '"scripts/.venv/bin/python" x.py',
  'exec .venv/bin/python -m app',
  'python -m pytest',
  'PYTHONPATH=build/debug/python python3 x.py',
  'PYTHONPATH=build/debug/python:$PYTHONPATH scripts/.venv/bin/python t.py',
  'export PYTHONPATH=src',
  'VENV=scripts/.venv',
  '$VENV/bin/python y.py',
  'PATH=scripts/.venv/bin:$PATH',
  'uv run python z.py',
  'uv run --frozen python a.py',
  '(cd tools && python3 -m venv .venv)',
  'if true; then python3 -m venv .venv; fi',
  'cd replay',
  'pushd tools',
  'popd',
  'deactivate',
  'npm ci',
  'echo ok # pip install x',
];
const SEPARATORS = [' && ', '; ', ' || ', ' | ', '\n'];

export const commandLines = fc
  .array(fc.tuple(fc.constantFrom(...COMMANDS), fc.constantFrom(...SEPARATORS)), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) =>
    parts.map(([command, separator], i) => (i === 0 ? command : separator + command)).join(''),
  );
