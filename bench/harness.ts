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
  /** Runs before each timed run of this contender (not timed), e.g. to remove a venv. */
  prepare?: () => void;
}

export interface Measurement {
  seconds: number;
  peakKiB: number;
}

export interface ContenderResult {
  name: string;
  command: string;
  runs: Measurement[];
  min: number;
  median: number;
  max: number;
  peakKiB: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  contenders: ContenderResult[];
  /** `${a} / ${b}` → ratio of medians. */
  ratios: Array<{ of: string; to: string; ratio: number; target?: string; met?: boolean }>;
}

export interface RatioTarget {
  of: string;
  to: string;
  /** The ratio must be ≤ max (or ≥ min: "at least N× faster" is to/of ≥ N). */
  max?: number;
  min?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function measureOnce(contender: Contender): Measurement {
  contender.prepare?.();
  const out = execFileSync('python3', [measureScript, contender.cwd, '--', ...contender.command], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(out) as Measurement & { code: number; stderr: string };
  if (result.code !== 0) {
    throw new Error(
      `${contender.name} exited ${result.code}: ${contender.command.join(' ')}\n${result.stderr}`,
    );
  }
  return { seconds: result.seconds, peakKiB: result.peakKiB };
}

export function runScenario(options: {
  id: string;
  title: string;
  contenders: Contender[];
  runs: number;
  warmup: number;
  targets?: RatioTarget[];
}): ScenarioResult {
  const runs = new Map<string, Measurement[]>(options.contenders.map((c) => [c.name, []]));
  for (let i = 0; i < options.warmup; i++) {
    for (const contender of options.contenders) measureOnce(contender);
  }
  for (let i = 0; i < options.runs; i++) {
    for (const contender of options.contenders)
      runs.get(contender.name)!.push(measureOnce(contender));
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
      peakKiB: Math.max(...measured.map((m) => m.peakKiB)),
    };
  });
  const byName = new Map(contenders.map((c) => [c.name, c]));
  const ratios = (options.targets ?? []).map((target) => {
    const ratio = byName.get(target.of)!.median / byName.get(target.to)!.median;
    if (target.max !== undefined) {
      return {
        of: target.of,
        to: target.to,
        ratio,
        target: `≤ ${target.max}x`,
        met: ratio <= target.max,
      };
    }
    if (target.min !== undefined) {
      // "of is at least N× faster than to": to/of ≥ N.
      return {
        of: target.of,
        to: target.to,
        ratio,
        target: `≥ ${target.min}x faster`,
        met: 1 / ratio >= target.min,
      };
    }
    return { of: target.of, to: target.to, ratio };
  });
  return { id: options.id, title: options.title, contenders, ratios };
}

export function formatMarkdown(results: ScenarioResult[], machine: Record<string, string>): string {
  const lines = ['# Benchmark results', ''];
  for (const [key, value] of Object.entries(machine)) lines.push(`- ${key}: ${value}`);
  for (const scenario of results) {
    lines.push('', `## ${scenario.id}: ${scenario.title}`, '');
    lines.push('| command | runs | min (s) | median (s) | max (s) | peak RSS (MiB) |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const c of scenario.contenders) {
      lines.push(
        `| ${c.name} | ${c.runs.length} | ${c.min.toFixed(3)} | ${c.median.toFixed(3)} | ${c.max.toFixed(3)} | ${(c.peakKiB / 1024).toFixed(1)} |`,
      );
    }
    if (scenario.ratios.length) {
      lines.push('', '| ratio of medians | value | target | met |', '|---|---:|---|---|');
      for (const r of scenario.ratios) {
        const met = r.met === undefined ? 'reported' : r.met ? 'yes' : '**no**';
        lines.push(`| ${r.of} / ${r.to} | ${r.ratio.toFixed(2)}x | ${r.target ?? '—'} | ${met} |`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
