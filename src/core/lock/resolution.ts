import type { OnevenvConfig } from '../config.js';
import type { LockSource, WrittenSources } from './inputs.js';
import type { LockedPackage, PinToRender } from './lock-file.js';

/** What either backend hands back: pins with hashes and `# via`, and the scope they hold for. */
export interface Resolution {
  installer: 'uv' | 'pip';
  pins: PinToRender[];
  /** uv: the requires-python range; pip: e.g. "3.11 (cpython; this Python only)". */
  python: string;
  /** uv: "any (universal resolution)"; pip: e.g. "linux x86_64 (this platform only)". */
  platform: string;
}

export interface ResolveRequest {
  config: OnevenvConfig;
  sources: LockSource[];
  written: WrittenSources;
  /** Private scratch directory holding the `.in` files; the resolver runs in it. */
  tempDir: string;
  env: NodeJS.ProcessEnv;
  upgrade: boolean;
  upgradePackages: string[];
  /** Pins of the lock being replaced: kept unless upgraded (preferences, not rules). */
  previous: LockedPackage[];
  /** Called with the resolver's stderr as it arrives (verbose mode). */
  onOutput?: (chunk: string) => void;
}

/**
 * The lowest Python version a requires-python range admits, as uv's `--python-version`
 * wants it ("3.10"), or undefined when the range has no lower bound.
 */
export function lowestPython(requiresPython: string | undefined): string | undefined {
  if (!requiresPython) return undefined;
  let best: number[] | undefined;
  for (const clause of requiresPython.replace(/\s+/g, '').split(',')) {
    const match = /^(>=|~=|==|>|===)(\d+(?:\.\d+){0,2})(\.\*)?$/.exec(clause);
    if (!match) continue;
    const parts = match[2]!.split('.').map(Number);
    if (match[1] === '>' && parts.length === 2) parts[1]! += 1;
    if (parts.length < 2) parts.push(0);
    if (!best || compare(parts, best) > 0) best = parts;
  }
  if (!best) return undefined;
  // A patch level only narrows within a minor version: uv resolves per minor.
  return best.slice(0, 2).join('.');
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The previous pins as plain `name==version ; marker` lines (no hashes, no comments). */
export function previousPinLines(previous: LockedPackage[], exclude: Set<string>): string {
  return previous
    .filter((pkg) => !exclude.has(pkg.name))
    .map((pkg) => `${pkg.name}==${pkg.version}${pkg.marker ? ` ; ${pkg.marker}` : ''}\n`)
    .join('');
}
