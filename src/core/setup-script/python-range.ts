import { satisfies } from '@renovatebot/pep440';

/**
 * `requires-python` as the set of Python 3 versions it admits, decided here by the same
 * PEP 440 library sync uses, so python/setup.sh needs no specifier parser of its own and
 * can never disagree with sync about which interpreter fits.
 *
 * The set is a list of inclusive ranges over (minor, patch). Only the versions a
 * specifier names can change the answer (a comparison with 3.11.2 changes at 3.11.1,
 * 3.11.2 and 3.11.3, and nowhere else), so each minor is evaluated at patch 0, the
 * largest patch, and around each patch named for it: a hundred or so evaluations.
 * Versions above the table (3.100, 3.12.1000) count as its last row and column.
 */

export const MAX_MINOR = 99;
export const MAX_PATCH = 999;

export type Version3 = [number, number, number];

export interface VersionRange {
  from: Version3;
  /** Inclusive; null: no upper bound. */
  to: Version3 | null;
}

interface Segment {
  minor: number;
  from: number;
  to: number;
}

/** The versions `requires-python` admits; undefined admits every version. */
export function pythonRanges(requiresPython: string | undefined): VersionRange[] | undefined {
  if (requiresPython === undefined) return undefined;
  const spec = requiresPython.replace(/\s+/g, '');
  const patchesByMinor = new Map<number, Set<number>>();
  for (const match of spec.matchAll(/(\d+)(?:\.(\d+))?(?:\.(\d+))?/g)) {
    if (Number(match[1]) !== 3) continue;
    const minor = Number(match[2] ?? 0);
    const patch = Number(match[3] ?? 0);
    const set = patchesByMinor.get(minor) ?? new Set<number>();
    for (const p of [patch - 1, patch, patch + 1]) if (p >= 0 && p <= MAX_PATCH) set.add(p);
    patchesByMinor.set(minor, set);
  }
  const admitted: Segment[] = [];
  for (let minor = 0; minor <= MAX_MINOR; minor++) {
    const points = [...new Set([0, MAX_PATCH, ...(patchesByMinor.get(minor) ?? [])])].sort(
      (a, b) => a - b,
    );
    points.forEach((from, i) => {
      if (!satisfies(`3.${minor}.${from}`, spec)) return;
      const to = i + 1 < points.length ? points[i + 1]! - 1 : MAX_PATCH;
      const last = admitted[admitted.length - 1];
      if (last && last.minor === minor && last.to + 1 === from) last.to = to;
      else admitted.push({ minor, from, to });
    });
  }
  const ranges: VersionRange[] = [];
  for (const segment of admitted) {
    const last = ranges[ranges.length - 1];
    const continues =
      last?.to &&
      ((last.to[1] === segment.minor && last.to[2] + 1 === segment.from) ||
        (last.to[1] + 1 === segment.minor && last.to[2] === MAX_PATCH && segment.from === 0));
    const to: Version3 = [3, segment.minor, segment.to];
    if (last && continues) last.to = to;
    else ranges.push({ from: [3, segment.minor, segment.from], to });
  }
  const last = ranges[ranges.length - 1];
  if (last?.to && last.to[1] === MAX_MINOR && last.to[2] === MAX_PATCH) last.to = null;
  return ranges;
}

/** The same membership test the generated script performs (for tests). */
export function inRanges(ranges: VersionRange[] | undefined, version: Version3): boolean {
  if (ranges === undefined) return true;
  if (version[0] !== 3) return false;
  const key: Version3 = [3, Math.min(version[1], MAX_MINOR), Math.min(version[2], MAX_PATCH)];
  const cmp = (a: Version3, b: Version3) => a[1] - b[1] || a[2] - b[2];
  return ranges.some((r) => cmp(r.from, key) <= 0 && (r.to === null || cmp(key, r.to) <= 0));
}
