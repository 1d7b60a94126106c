import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../adopt/repos.js';
import { hermeticEnv } from '../helpers/locked-repo.js';
import { makeRepo, runCli, type TempRepo } from '../helpers/repo.js';
import {
  killMoments,
  killWithRetries,
  processesLeft,
  report,
  seedFrom,
  signalGroup,
  sleep,
  startCli,
} from './support.js';

/**
 * Issue acceptance, atomic writes under kill: `adopt --write` on the seed ticket's
 * repository (its dependencies renamed to the test wheelhouse's packages, so the lock
 * resolves offline) killed as a whole process group at seeded moments over its measured
 * duration. After every kill each file is byte for byte its old or its new content, never
 * partial, and nothing else is left in the repository; a re-run completes and produces
 * exactly what an uninterrupted run does.
 */

const MOMENTS = 12;
const seed = seedFrom('RELIABILITY_SEED', 9301);

/** The seed fixture with its Python dependencies mapped onto the wheelhouse. */
async function hermeticSeedFiles(): Promise<Record<string, string>> {
  const files = await readTree('test/fixtures/seed-before');
  const renames: Array<[RegExp, string]> = [
    [/tree_sitter_cpp/g, 'tiny_sitter_cpp'],
    [/from tree_sitter import/g, 'from tiny_sitter import'],
    [/from fastmcp import/g, 'from alpha import'],
  ];
  for (const [file, text] of Object.entries(files)) {
    if (file.startsWith('scripts/') && file.endsWith('.py')) {
      files[file] = renames.reduce((t, [from, to]) => t.replace(from, to), text);
    }
  }
  files['replay/pyproject.toml'] = files['replay/pyproject.toml']!.replace(
    '"fastapi>=0.110"',
    '"alpha>=1"',
  )
    .replace('"uvicorn[standard]>=0.29"', '"beta"')
    .replace('"pydantic>=2.6"', '"gamma"')
    .replace('"httpx>=0.27"', '"twomods"')
    .replace('"pytest>=8"', '"many"');
  // The replay package's own imports and its start script's server, likewise.
  for (const [file, text] of Object.entries(files)) {
    if (file.startsWith('replay/') && file.endsWith('.py')) {
      files[file] = text
        .replace(/\bfastapi\b/g, 'alpha')
        .replace(/\bpydantic\b/g, 'gamma')
        .replace(/\bpytest\b/g, 'many');
    }
  }
  files['replay/start_server.sh'] = files['replay/start_server.sh']!.replace(
    '-m uvicorn',
    '-m beta',
  );
  // pybind11 is not in the wheelhouse: CMake's find_package(pybind11) would ask for it.
  files['msd/msd-reader/CMakeLists.txt'] = files['msd/msd-reader/CMakeLists.txt']!.replace(
    /find_package\(pybind11[^)]*\)\n/,
    '',
  );
  return files;
}

function seedRepo(files: Record<string, string>): Promise<TempRepo> {
  return makeRepo(files, { git: true, name: 'msd' });
}

describe('adopt --write killed at random moments', () => {
  let files: Record<string, string>;
  let before: Record<string, string>;
  let after: Record<string, string>;
  let durationMs: number;

  beforeAll(async () => {
    files = await hermeticSeedFiles();
    // One uninterrupted run: the new content of every file, and how long it takes.
    const repo = await seedRepo(files);
    try {
      before = await repo.snapshot();
      const started = Date.now();
      const run = startCli(['adopt', '--write'], { cwd: repo.root });
      const end = await run.exit;
      durationMs = end.at - started;
      expect([end.code, run.stderr()]).toEqual([0, expect.not.stringContaining('error')]);
      after = await repo.snapshot();
      expect(
        Object.keys(after)
          .filter((f) => !(f in before))
          .sort(),
      ).toEqual([
        'python/README.md',
        'python/pyproject.toml',
        'python/requirements.txt',
        'python/setup.sh',
      ]);
    } finally {
      await repo.cleanup();
    }
  });

  it(`every file is old or new after a SIGKILL at ${MOMENTS} moments; a re-run completes`, async () => {
    const counts = {
      killed: 0,
      finishedFirst: 0,
      filesOld: 0,
      filesNew: 0,
      partial: 0,
      abandonedTemps: 0,
      reruns: 0,
    };
    const changed = Object.keys(after).filter((f) => before[f] !== after[f]);
    expect(changed.length).toBeGreaterThan(4);
    const scale = { value: 1 };
    for (const [index, moment] of killMoments(seed, MOMENTS, durationMs).entries()) {
      const where = `#${index} at ${moment} ms (seed ${seed})`;
      const outcome = await killWithRetries(moment, durationMs, scale, async (delay, last) => {
        const repo = await seedRepo(files);
        const startedAt = Date.now();
        const run = startCli(['adopt', '--write'], { cwd: repo.root });
        await sleep(delay);
        const sent = signalGroup(run.child, 'SIGKILL');
        const end = await run.exit;
        if (!sent && !last) {
          // It finished before its moment: it wrote everything; try earlier.
          expect([where, end.code, await repo.snapshot()]).toEqual([where, 0, after]);
          await repo.cleanup();
        }
        return { sent, ranMs: end.at - startedAt, repo };
      });
      const { repo } = outcome;
      counts.finishedFirst += outcome.finishedFirst;
      if (outcome.sent) counts.killed++;
      else counts.finishedFirst++;
      try {
        expect(await processesLeft(repo.root)).toEqual([]);
        const now = await repo.snapshot();
        // Beyond the old and the new files, at most the temporary file of a write the kill
        // cut short (its target is still old); the re-run removes it.
        const known = new Set([...Object.keys(before), ...Object.keys(after)]);
        const extra = Object.keys(now).filter((f) => !known.has(f));
        const temps = extra.filter((f) => /(^|\/)\.[^/]+\.onevenv-\d+-[0-9a-f]{12}\.tmp$/.test(f));
        counts.abandonedTemps += temps.length;
        expect([where, extra.filter((f) => !temps.includes(f))]).toEqual([where, []]);
        for (const file of known) {
          const state =
            now[file] === before[file] ? 'old' : now[file] === after[file] ? 'new' : 'partial';
          if (state === 'old') counts.filesOld++;
          else if (state === 'new') counts.filesNew++;
          else counts.partial++;
          expect([where, file, state === 'partial' ? now[file] : state]).toEqual([
            where,
            file,
            expect.stringMatching(/^(old|new)$/),
          ]);
        }
        const rerun = await runCli(['adopt', '--write'], { cwd: repo.root, env: hermeticEnv() });
        expect([where, rerun.code, rerun.stderr]).toEqual([
          where,
          0,
          expect.not.stringContaining('error'),
        ]);
        expect([where, await repo.snapshot()]).toEqual([where, after]);
        counts.reruns++;
      } finally {
        await repo.cleanup();
      }
    }
    report('adopt --write under kill', {
      moments: MOMENTS,
      seed,
      measuredMs: durationMs,
      ...counts,
    });
    expect(counts.killed).toBe(MOMENTS);
  }, 600_000);
});
