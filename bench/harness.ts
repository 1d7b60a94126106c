import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the commands being compared alternately (A B A B …) after a warm-up, so drift in
 * the machine's load hits every command alike; reports min/median/max wall time and
 * peak memory per command and the ratio of medians. Absolute times on a shared machine
 * are noise; the ratios are the result.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const measureScript = path.join(here, 'measure.py');

export interface Contender {
  name: string;
  command: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Runs before each timed run of this contender (not timed), e.g. to remove a venv. */
  prepare?: () => void;
  /**
   * What stderr must show on every run, so a contender cannot quietly do something else
   * than the scenario says (a "no-op" sync that rebuilt the venv).
   */
  expect?: RegExp;
}

export interface Measurement {
  seconds: number;
  /** User + system time of the whole process tree. */
  cpuSeconds: number;
  peakKiB: number;
}

export interface ContenderResult {
  name: string;
  command: string;
  runs: Measurement[];
  min: number;
  median: number;
  max: number;
  medianCpu: number;
  peakKiB: number;
}

export interface RatioResult {
  of: string;
  to: string;
  ratio: number;
  target?: string;
  met?: boolean;
}

export interface AbsoluteResult {
  name: string;
  median: number;
  target: string;
  met: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  contenders: ContenderResult[];
  /** `${of} / ${to}` → ratio of medians. */
  ratios: RatioResult[];
  absolute: AbsoluteResult[];
  notes: string[];
}

export interface RatioTarget {
  of: string;
  /** One contender, or several: the slowest of them (by median). */
  to: string | string[];
  /** The ratio must be ≤ max (or ≥ min: "at least N× faster" is to/of ≥ N). */
  max?: number;
  min?: number;
}

export interface AbsoluteTarget {
  name: string;
  /** The median must be below this many seconds. */
  maxSeconds: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function measureOnce(contender: Contender): Measurement {
  contender.prepare?.();
  const out = execFileSync('python3', [measureScript, contender.cwd, '--', ...contender.command], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: contender.env ?? process.env,
  });
  const result = JSON.parse(out) as Measurement & { code: number; stderr: string };
  if (result.code !== 0) {
    throw new Error(
      `${contender.name} exited ${result.code}: ${contender.command.join(' ')}\n${result.stderr}`,
    );
  }
  if (contender.expect && !contender.expect.test(result.stderr)) {
    throw new Error(
      `${contender.name} did not print ${contender.expect}: ${contender.command.join(' ')}\n${result.stderr}`,
    );
  }
  return { seconds: result.seconds, cpuSeconds: result.cpuSeconds, peakKiB: result.peakKiB };
}

function ratioResult(target: RatioTarget, byName: Map<string, ContenderResult>): RatioResult {
  const candidates = (Array.isArray(target.to) ? target.to : [target.to]).map(
    (name) => byName.get(name)!,
  );
  const to = candidates.reduce((a, b) => (b.median > a.median ? b : a));
  const toName = Array.isArray(target.to)
    ? `slowest of (${target.to.join(', ')}): ${to.name}`
    : to.name;
  const ratio = byName.get(target.of)!.median / to.median;
  if (target.max !== undefined) {
    return {
      of: target.of,
      to: toName,
      ratio,
      target: `≤ ${target.max}x`,
      met: ratio <= target.max,
    };
  }
  if (target.min !== undefined) {
    // "of is at least N× faster than to": to/of ≥ N.
    return {
      of: target.of,
      to: toName,
      ratio,
      target: `≥ ${target.min}x faster`,
      met: 1 / ratio >= target.min,
    };
  }
  return { of: target.of, to: toName, ratio };
}

export function runScenario(options: {
  id: string;
  title: string;
  contenders: Contender[];
  runs: number;
  warmup: number;
  targets?: RatioTarget[];
  absolute?: AbsoluteTarget[];
  notes?: string[];
  /** Called after each round, e.g. to show progress. */
  onRound?: (round: number, warmup: boolean) => void;
}): ScenarioResult {
  const runs = new Map<string, Measurement[]>(options.contenders.map((c) => [c.name, []]));
  for (let i = 0; i < options.warmup; i++) {
    for (const contender of options.contenders) measureOnce(contender);
    options.onRound?.(i + 1, true);
  }
  for (let i = 0; i < options.runs; i++) {
    for (const contender of options.contenders)
      runs.get(contender.name)!.push(measureOnce(contender));
    options.onRound?.(i + 1, false);
  }
  const contenders = options.contenders.map((contender) => {
    const measured = runs.get(contender.name)!;
    const seconds = measured.map((m) => m.seconds);
    return {
      name: contender.name,
      command: contender.command.join(' '),
      runs: measured,
      min: Math.min(...seconds),
      median: median(seconds),
      max: Math.max(...seconds),
      medianCpu: median(measured.map((m) => m.cpuSeconds)),
      peakKiB: Math.max(...measured.map((m) => m.peakKiB)),
    };
  });
  const byName = new Map(contenders.map((c) => [c.name, c]));
  const ratios = (options.targets ?? []).map((target) => ratioResult(target, byName));
  const absolute = (options.absolute ?? []).map((target) => {
    const value = byName.get(target.name)!.median;
    return {
      name: target.name,
      median: value,
      target: `< ${target.maxSeconds} s`,
      met: value < target.maxSeconds,
    };
  });
  return {
    id: options.id,
    title: options.title,
    contenders,
    ratios,
    absolute,
    notes: options.notes ?? [],
  };
}

function formatRatio(r: RatioResult): string {
  const value = `${r.ratio.toFixed(2)}x`;
  // "1.0x faster" says nothing: only a clear difference gets the inverse.
  return r.ratio <= 0.9 ? `${value} (${(1 / r.ratio).toFixed(1)}x faster)` : value;
}

function metText(met: boolean | undefined): string {
  return met === undefined ? 'reported' : met ? 'yes' : '**no**';
}

export function formatMarkdown(
  results: ScenarioResult[],
  machine: Record<string, string>,
  intro: string[] = [],
): string {
  const lines = ['# Benchmark results', ''];
  for (const [key, value] of Object.entries(machine)) lines.push(`- ${key}: ${value}`);
  if (intro.length) lines.push('', ...intro);
  for (const scenario of results) {
    lines.push('', `## ${scenario.id}: ${scenario.title}`, '');
    lines.push(
      '| command | runs | min (s) | median (s) | max (s) | median CPU (s) | peak RSS (MiB) |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const c of scenario.contenders) {
      lines.push(
        `| ${c.name} | ${c.runs.length} | ${c.min.toFixed(3)} | ${c.median.toFixed(3)} | ${c.max.toFixed(3)} | ${c.medianCpu.toFixed(3)} | ${(c.peakKiB / 1024).toFixed(1)} |`,
      );
    }
    if (scenario.ratios.length) {
      lines.push('', '| ratio of medians | value | target | met |', '|---|---:|---|---|');
      for (const r of scenario.ratios) {
        lines.push(
          `| ${r.of} / ${r.to} | ${formatRatio(r)} | ${r.target ?? '—'} | ${metText(r.met)} |`,
        );
      }
    }
    if (scenario.absolute.length) {
      lines.push('', '| median of | value | target | met |', '|---|---:|---|---|');
      for (const a of scenario.absolute) {
        lines.push(`| ${a.name} | ${a.median.toFixed(3)} s | ${a.target} | ${metText(a.met)} |`);
      }
    }
    if (scenario.notes.length) lines.push('', ...scenario.notes);
  }
  return `${lines.join('\n')}\n`;
}
