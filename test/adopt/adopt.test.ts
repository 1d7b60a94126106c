import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/core/adopt/apply.js';
import { formatSummary, planDiff, toPlanJson } from '../../src/core/adopt/format.js';
import { planAdoption } from '../../src/core/adopt/plan.js';
import { loadConfig } from '../../src/core/config.js';
import { parseLockFile } from '../../src/core/lock/lock-file.js';
import { generateSetupScript } from '../../src/core/setup-script/generate.js';
import { setColorEnabled } from '../../src/util/colors.js';
import { runCli, type TempRepo } from '../helpers/repo.js';
import { beforeRepo, changes, coreRewriters, readTree } from './repos.js';

/**
 * The acceptance test of `onevenv adopt` on the seed ticket's before state and on the
 * bundled example. With the core's own rewriters only (gitignore, the CLAUDE.md pointer)
 * every file adopt writes is asserted whole against test/fixtures/adopt/*-expected; with
 * every rewriter the project has, through the real CLI: the dry run writes nothing, --write
 * resolves the lock against PyPI, and a second --write changes nothing.
 */

const SEED = 'test/fixtures/seed-before';
const EXAMPLE = 'examples/telemetry-sim';

beforeAll(() => setColorEnabled(false));
afterAll(() => setColorEnabled(undefined));

async function expectAdoptedWithCoreRewriters(
  source: string,
  name: string,
  expectedDir: string,
  handled: Array<[string, number, string]>,
) {
  const repo = await beforeRepo(source, name);
  try {
    const before = await repo.snapshot();
    const { plan } = await planAdoption(repo.root, { rewriters: coreRewriters });
    const outcome = await applyPlan(plan, { skipLock: true });
    expect(outcome).toEqual({
      written: [
        '.gitignore',
        'CLAUDE.md',
        'python/README.md',
        'python/pyproject.toml',
        'python/setup.sh',
      ],
      refused: [],
      lock: undefined,
      proofFailures: [],
    });
    expect(changes(before, await repo.snapshot())).toEqual({
      added: ['python/README.md', 'python/pyproject.toml', 'python/setup.sh'],
      changed: ['.gitignore', 'CLAUDE.md'],
      removed: [],
    });
    const expected = await readTree(expectedDir);
    for (const [file, text] of Object.entries(expected)) {
      expect([file, await repo.read(file)]).toEqual([file, text]);
    }
    expect(await repo.read('python/setup.sh')).toBe(
      generateSetupScript(await loadConfig(repo.root)),
    );
    expect(plan.handled.map((r) => [r.file, r.line, r.environment])).toEqual(handled);
    expect(
      plan.unhandled.every(
        (r) => r.category === (r.adapter === 'docs' ? 'documentation' : 'not-rewritten-yet'),
      ),
    ).toBe(true);
    // Adopting again changes nothing.
    const again = await planAdoption(repo.root, { rewriters: coreRewriters });
    expect(again.plan.files).toEqual([]);
  } finally {
    await repo.cleanup();
  }
}

describe('onevenv adopt on the seed ticket before state', () => {
  let repo: TempRepo;

  beforeAll(async () => {
    repo = await beforeRepo(SEED, 'msd');
  });
  afterAll(() => repo.cleanup());

  it('writes exactly the expected files (core rewriters), and a second adopt changes nothing', async () => {
    await expectAdoptedWithCoreRewriters(SEED, 'msd', 'test/fixtures/adopt/seed-expected', [
      ['.gitignore', 8, 'scripts/.venv'],
      ['.gitignore', 9, 'replay/.venv'],
    ]);
  });

  it('prints the plan as a diff and writes nothing', async () => {
    const before = await repo.snapshot();
    const { plan } = await planAdoption(repo.root);
    const run = await runCli(['adopt'], { cwd: repo.root });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${planDiff(plan)}${formatSummary(plan)}`);
    expect(run.stdout).toContain('+++ b/python/pyproject.toml');
    const json = await runCli(['adopt', '--json'], { cwd: `${repo.root}/replay` });
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(toPlanJson(plan))));
    expect(await repo.snapshot()).toEqual(before);
  });

  it('--write writes the plan and a lock resolved against PyPI; a second --write changes nothing', async () => {
    const before = await repo.snapshot();
    const run = await runCli(['adopt', '--write'], { cwd: repo.root });
    expect([run.code, run.stderr]).toEqual([0, expect.any(String)]);
    const after = await repo.snapshot();
    const changed = changes(before, after);
    expect(changed.added).toEqual([
      'python/README.md',
      'python/pyproject.toml',
      'python/requirements.txt',
      'python/setup.sh',
    ]);
    expect(changed.removed).toEqual([]);
    expect(await repo.read('python/pyproject.toml')).toBe(
      (await readTree('test/fixtures/adopt/seed-expected'))['python/pyproject.toml'],
    );
    const lock = parseLockFile(await repo.read('python/requirements.txt'));
    const names = new Set(lock.packages.map((p) => p.name));
    for (const name of [
      'fastmcp',
      'tree-sitter',
      'tree-sitter-cpp',
      'pybind11',
      'httpx',
      'pytest',
      'fastapi',
      'uvicorn',
      'pydantic',
    ]) {
      expect([name, names.has(name)]).toEqual([name, true]);
    }
    expect((await runCli(['lock', '--check'], { cwd: repo.root })).code).toBe(0);

    const second = await runCli(['adopt', '--write'], { cwd: repo.root });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to change: the repository is already adopted.');
    expect(await repo.snapshot()).toEqual(after);
  });
});

describe('onevenv adopt on the bundled example', () => {
  it('writes exactly the expected files (core rewriters), and a second adopt changes nothing', async () => {
    await expectAdoptedWithCoreRewriters(
      EXAMPLE,
      'telemetry-sim',
      'test/fixtures/adopt/telemetry-expected',
      [
        ['.gitignore', 2, 'scripts/.venv'],
        ['.gitignore', 3, 'replay/.venv'],
      ],
    );
  });

  it('with every rewriter: the rewrites are proved, and adopting again changes nothing', async () => {
    const repo = await beforeRepo(EXAMPLE, 'telemetry-sim');
    try {
      const { plan } = await planAdoption(repo.root);
      const outcome = await applyPlan(plan, { skipLock: true });
      expect([outcome.refused, outcome.proofFailures]).toEqual([[], []]);
      const snapshot = await repo.snapshot();
      const again = await planAdoption(repo.root);
      expect(again.plan.files.map((f) => f.file)).toEqual([]);
      expect(await applyPlan(again.plan, { skipLock: true })).toEqual({
        written: [],
        refused: [],
        lock: undefined,
        proofFailures: [],
      });
      expect(await repo.snapshot()).toEqual(snapshot);
    } finally {
      await repo.cleanup();
    }
  });
});
