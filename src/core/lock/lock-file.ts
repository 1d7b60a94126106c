import { type LockHeader, readLockHeader } from './status.js';

/**
 * The lock is a pip requirements file that plain pip can install with
 * `--require-hashes`. One block per pin:
 *
 *     alpha==1.1.0 ; python_full_version < '3.11' \
 *         --hash=sha256:… \
 *         --hash=sha256:…
 *         # via
 *         #   beta
 *         #   group:test
 *
 * `# via` names the dependency groups (`group:NAME`), `[project] dependencies`
 * (`project`), editable packages (`editable:PATH`) and parent packages that pulled the
 * pin in. Parsing also reads uv's own output, which has the same shape.
 */

export interface LockedPackage {
  /** PEP 503 normalised name. */
  name: string;
  version: string;
  /** Environment marker of a universal lock (`sys_platform == 'win32'`), if any. */
  marker: string | undefined;
  /** `sha256:<hex>`, sorted. */
  hashes: string[];
  /** As annotated: sources (`group:x`, `project`, `editable:p`) and parent package names. */
  via: string[];
  /**
   * Every source that needs the pin, directly or through parents: group names, `project`,
   * `editable:PATH`. Sorted.
   */
  groups: string[];
  /** 1-based line of the pin. */
  line: number;
}

export interface LockFile {
  header: LockHeader;
  /** Option lines such as `--index-url …`, as written. */
  options: string[];
  packages: LockedPackage[];
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const PIN =
  /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[[^\]]*\])?\s*===?\s*([^\s;\\]+)\s*(?:;\s*(.*?))?\s*$/;

/** `group:x` → `x`; `project` and `editable:…` stay as they are. */
export function sourceOfVia(via: string): string | undefined {
  if (via.startsWith('group:')) return via.slice('group:'.length);
  if (via === 'project' || via.startsWith('editable:')) return via;
  return undefined;
}

export function parseLockFile(text: string): LockFile {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const packages: LockedPackage[] = [];
  const options: string[] = [];
  let current: LockedPackage | undefined;
  let inVia = false;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    // Join backslash continuations into one logical line.
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      line = `${line.slice(0, -1)} ${lines[i]!.trim()}`;
    }
    const trimmed = line.trim();
    if (trimmed === '') {
      inVia = false;
      continue;
    }
    if (trimmed.startsWith('#')) {
      if (!current) continue;
      const body = trimmed.replace(/^#\s?/, '');
      const via = /^via(?:\s+(.*))?$/.exec(body.trim());
      if (via) {
        inVia = via[1] === undefined;
        if (via[1] !== undefined) current.via.push(via[1].trim());
        continue;
      }
      if (inVia && /^\s{2,}\S/.test(body)) {
        current.via.push(body.trim());
        continue;
      }
      inVia = false;
      continue;
    }
    inVia = false;
    if (trimmed.startsWith('-')) {
      current = undefined;
      options.push(trimmed);
      continue;
    }
    const hashes: string[] = [];
    const withoutHashes = trimmed
      .replace(/\s--hash[=\s](\S+)/g, (_, hash: string) => {
        hashes.push(hash.replace(/^sha256=/, 'sha256:'));
        return '';
      })
      .trim();
    const match = PIN.exec(withoutHashes);
    if (!match) {
      current = undefined;
      continue;
    }
    current = {
      name: normalizeName(match[1]!),
      version: match[2]!,
      marker: match[3] || undefined,
      hashes: hashes.sort(),
      via: [],
      groups: [],
      line: start + 1,
    };
    packages.push(current);
  }
  fillGroups(packages);
  return { header: readLockHeader(text), options, packages };
}

/** Sources reach a pin through its parents: take the union up the `via` graph. */
function fillGroups(packages: LockedPackage[]): void {
  const byName = new Map<string, LockedPackage[]>();
  for (const pkg of packages) {
    const list = byName.get(pkg.name) ?? [];
    list.push(pkg);
    byName.set(pkg.name, list);
  }
  const sets = new Map<LockedPackage, Set<string>>();
  for (const pkg of packages) {
    const own = new Set<string>();
    for (const via of pkg.via) {
      const source = sourceOfVia(via);
      if (source !== undefined) own.add(source);
    }
    sets.set(pkg, own);
  }
  // Fixpoint: dependency graphs may have cycles, and are small.
  for (let changed = true; changed; ) {
    changed = false;
    for (const pkg of packages) {
      const mine = sets.get(pkg)!;
      for (const via of pkg.via) {
        if (sourceOfVia(via) !== undefined) continue;
        for (const parent of byName.get(normalizeName(via)) ?? []) {
          for (const source of sets.get(parent)!) {
            if (!mine.has(source)) {
              mine.add(source);
              changed = true;
            }
          }
        }
      }
    }
  }
  for (const pkg of packages) pkg.groups = [...sets.get(pkg)!].sort();
}

export interface PinToRender {
  name: string;
  version: string;
  marker: string | undefined;
  hashes: string[];
  via: string[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sources first (groups, project, editables), then parent packages; each sorted. */
export function sortVia(via: string[]): string[] {
  const unique = [...new Set(via)];
  const sources = unique.filter((v) => sourceOfVia(v) !== undefined).sort(compareText);
  const parents = unique.filter((v) => sourceOfVia(v) === undefined).sort(compareText);
  return [...sources, ...parents];
}

export function renderPins(pins: PinToRender[]): string {
  const blocks: string[] = [];
  // Stable: uv's order between two pins of one name (a fork by marker) is kept.
  const sorted = [...pins].sort((a, b) => compareText(a.name, b.name));
  for (const pin of sorted) {
    const lines: string[] = [];
    const head = `${pin.name}==${pin.version}${pin.marker ? ` ; ${pin.marker}` : ''}`;
    const hashes = [...new Set(pin.hashes)].sort(compareText);
    if (hashes.length === 0) {
      lines.push(head);
    } else {
      lines.push(`${head} \\`);
      hashes.forEach((hash, i) => {
        lines.push(`    --hash=${hash}${i < hashes.length - 1 ? ' \\' : ''}`);
      });
    }
    const via = sortVia(pin.via);
    if (via.length === 1) lines.push(`    # via ${via[0]}`);
    else if (via.length > 1) lines.push('    # via', ...via.map((v) => `    #   ${v}`));
    blocks.push(lines.join('\n'));
  }
  return blocks.length === 0 ? '' : `${blocks.join('\n')}\n`;
}
