import { validSpecifier } from '../../core/pep508.js';

/**
 * Poetry version constraints in PEP 440 terms, following Poetry's documented semantics:
 * `^1.2.3` allows changes that keep the left-most non-zero part (>=1.2.3,<2), `~1.2.3`
 * allows patch changes (>=1.2.3,<1.3), `1.2.*` is a wildcard, a bare version is exact,
 * and comma or space separate clauses that must all hold. `||` (either range) has no
 * PEP 440 form and is reported as an error.
 */

type Conversion = { ok: true; specifier: string } | { ok: false; error: string };

const RELEASE = /^(\d+(?:\.\d+)*)(.*)$/;

export function poetryToPep440(constraint: string): Conversion {
  const text = constraint.trim();
  if (text.includes('|')) {
    return { ok: false, error: `'${constraint}' allows either of two ranges; PEP 440 cannot` };
  }
  const clauses = text
    .replace(/(===|==|!=|<=|>=|~=|<|>|=|\^|~)\s+/g, '$1')
    .split(/[,\s]+/)
    .filter((clause) => clause !== '');
  const out: string[] = [];
  for (const clause of clauses) {
    const converted = convertClause(clause);
    if (converted === undefined) {
      return { ok: false, error: `'${clause}' is not a Poetry version constraint` };
    }
    out.push(...converted);
  }
  const specifier = out.join(',');
  if (specifier !== '' && !validSpecifier(specifier)) {
    return { ok: false, error: `'${constraint}' is not a valid version constraint` };
  }
  return { ok: true, specifier };
}

function convertClause(clause: string): string[] | undefined {
  if (clause === '*') return [];
  if (clause.startsWith('^')) return caret(clause.slice(1));
  if (clause.startsWith('~=')) return [clause];
  if (clause.startsWith('~')) return tilde(clause.slice(1));
  if (/^(===|==|!=|<=|>=|<|>)/.test(clause)) return [clause];
  if (clause.startsWith('=')) return [`=${clause}`];
  if (/^\d/.test(clause)) return [`==${clause}`];
  return undefined;
}

function releaseOf(version: string): number[] | undefined {
  const match = RELEASE.exec(version);
  if (!match) return undefined;
  return match[1]!.split('.').map(Number);
}

function caret(version: string): string[] | undefined {
  const release = releaseOf(version);
  if (!release) return undefined;
  let index = release.findIndex((part) => part !== 0);
  if (index === -1) index = release.length - 1;
  const upper = release.slice(0, index + 1);
  upper[index]! += 1;
  return [`>=${version}`, `<${upper.join('.')}`];
}

function tilde(version: string): string[] | undefined {
  const release = releaseOf(version);
  if (!release) return undefined;
  const upper = release.length === 1 ? [release[0]! + 1] : [release[0]!, release[1]! + 1];
  return [`>=${version}`, `<${upper.join('.')}`];
}

/** A Poetry `python = "…"` restriction of one dependency as a PEP 508 marker. */
export function pythonMarker(specifier: string): string {
  return specifier
    .split(',')
    .map((clause) => {
      const match = /^(===|==|!=|<=|>=|~=|<|>)(.+)$/.exec(clause)!;
      const version = match[2]!;
      const variable =
        version.replace(/\.\*$/, '').split('.').length > 2
          ? 'python_full_version'
          : 'python_version';
      return `${variable} ${match[1]} "${version}"`;
    })
    .join(' and ');
}
