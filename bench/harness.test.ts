import os from 'node:os';
import { expect, it } from 'vitest';
import { formatMarkdown, runScenario } from './harness.js';

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
    '| command | runs | min (s) | median (s) | max (s) | peak RSS (MiB) |',
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
