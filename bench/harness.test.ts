import os from 'node:os';
import { expect, it } from 'vitest';
import { formatMarkdown, median, runScenario } from './harness.js';

it('runs contenders alternately and reports medians and ratios (one-run smoke test)', () => {
  const cwd = os.tmpdir();
  const result = runScenario({
    id: 'S0',
    title: 'smoke',
    runs: 1,
    warmup: 0,
    contenders: [
      { name: 'true', command: ['true'], cwd },
      { name: 'python', command: ['python3', '-c', 'pass'], cwd },
    ],
    targets: [{ of: 'true', to: 'python', max: 1e9 }],
  });
  expect(result.contenders.map((c) => [c.name, c.runs.length])).toEqual([
    ['true', 1],
    ['python', 1],
  ]);
  for (const c of result.contenders) {
    expect(c.min).toBe(c.median);
    expect(c.max).toBe(c.median);
    expect(c.peakKiB).toBeGreaterThan(0);
    expect(c.medianCpu).toBe(c.runs[0]!.cpuSeconds);
  }
  expect(result.ratios).toEqual([
    {
      of: 'true',
      to: 'python',
      ratio: result.contenders[0]!.median / result.contenders[1]!.median,
      target: '≤ 1000000000x',
      met: true,
    },
  ]);
  const markdown = formatMarkdown([result], { machine: 'test' });
  expect(markdown.split('\n').slice(0, 7)).toEqual([
    '# Benchmark results',
    '',
    '- machine: test',
    '',
    '## S0: smoke',
    '',
    '| command | runs | min (s) | median (s) | max (s) | median CPU (s) | peak RSS (MiB) |',
  ]);
});

it('fails loudly when a contender fails', () => {
  expect(() =>
    runScenario({
      id: 'S1',
      title: 'failing',
      runs: 1,
      warmup: 0,
      contenders: [{ name: 'false', command: ['false'], cwd: os.tmpdir() }],
    }),
  ).toThrow(/false exited 1/);
});

it('fails loudly when a contender does not print what the scenario expects of it', () => {
  expect(() =>
    runScenario({
      id: 'S2',
      title: 'expect',
      runs: 1,
      warmup: 0,
      contenders: [
        {
          name: 'quiet',
          command: ['python3', '-c', 'import sys; sys.stderr.write("rebuilt the venv")'],
          cwd: os.tmpdir(),
          expect: /is up to date/,
        },
      ],
    }),
  ).toThrow(/quiet did not print \/is up to date\/: .*\nrebuilt the venv/);
});

it('compares with the slowest of several contenders, and checks absolute targets', () => {
  const cwd = os.tmpdir();
  let prepared = 0;
  const result = runScenario({
    id: 'S3',
    title: 'slowest',
    runs: 1,
    warmup: 0,
    contenders: [
      { name: 'fast', command: ['true'], cwd, prepare: () => prepared++ },
      { name: 'slow', command: ['python3', '-c', 'import time; time.sleep(0.3)'], cwd },
      { name: 'medium', command: ['python3', '-c', 'pass'], cwd },
    ],
    targets: [{ of: 'fast', to: ['medium', 'slow'], min: 2 }],
    absolute: [{ name: 'slow', maxSeconds: 0.2 }],
    notes: ['a note'],
  });
  expect(prepared).toBe(1);
  const [fast, slow] = result.contenders;
  expect(result.ratios).toEqual([
    {
      of: 'fast',
      to: 'slowest of (medium, slow): slow',
      ratio: fast!.median / slow!.median,
      target: '≥ 2x faster',
      met: true,
    },
  ]);
  expect(result.absolute).toEqual([
    { name: 'slow', median: slow!.median, target: '< 0.2 s', met: false },
  ]);
  const markdown = formatMarkdown([result], {});
  expect(markdown).toContain(
    `| fast / slowest of (medium, slow): slow | ${(fast!.median / slow!.median).toFixed(2)}x (${(slow!.median / fast!.median).toFixed(1)}x faster) | ≥ 2x faster | yes |`,
  );
  expect(markdown).toContain(`| slow | ${slow!.median.toFixed(3)} s | < 0.2 s | **no** |`);
  expect(markdown.endsWith('\na note\n')).toBe(true);
});

it('takes the median of odd and even counts', () => {
  expect([median([3, 1, 2]), median([4, 1, 3, 2])]).toEqual([2, 2.5]);
});
