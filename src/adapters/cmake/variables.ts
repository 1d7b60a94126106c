/**
 * Variable references inside a CMake argument: `${NAME}`, `$ENV{NAME}`, `$CACHE{NAME}`,
 * nested (`${a_${b}}`). Bracket arguments are never expanded, so callers only ask about
 * quoted and unquoted ones. An escaped `\$` is no reference; neither is a `${` that never
 * closes within the argument.
 */

export interface VariableReference {
  /** '' for `${…}`, 'ENV' for `$ENV{…}`, 'CACHE' for `$CACHE{…}`. */
  namespace: '' | 'ENV' | 'CACHE';
  /** The text between the braces, nested references included as written. */
  name: string;
  /** Offsets in the file text, from `$` to just after `}`. */
  start: number;
  end: number;
  /** The name holds a nested reference, so it cannot be known statically. */
  nested: boolean;
}

function opening(
  text: string,
  i: number,
): { namespace: VariableReference['namespace']; length: number } | undefined {
  if (text[i] !== '$') return undefined;
  if (text[i + 1] === '{') return { namespace: '', length: 2 };
  if (text.startsWith('ENV{', i + 1)) return { namespace: 'ENV', length: 5 };
  if (text.startsWith('CACHE{', i + 1)) return { namespace: 'CACHE', length: 7 };
  return undefined;
}

/**
 * Reads the reference opening at `i` into `out` (nested ones first). Returns the offset
 * after it, or -1 when it never closes; then no `}` is left in the range, so the caller
 * can stop, keeping the nested references that did close.
 */
function readReference(text: string, i: number, end: number, out: VariableReference[]): number {
  const open = opening(text, i);
  if (!open) return 0;
  let j = i + open.length;
  const mark = out.length;
  while (j < end) {
    const ch = text[j];
    if (ch === '}') {
      out.push({
        namespace: open.namespace,
        name: text.slice(i + open.length, j),
        start: i,
        end: j + 1,
        nested: out.length > mark,
      });
      return j + 1;
    }
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (ch === '$') {
      const after = readReference(text, j, end, out);
      if (after === -1) return -1;
      if (after > 0) {
        j = after;
        continue;
      }
    }
    j++;
  }
  return -1;
}

/** References in text[start, end); a reference comes after those nested in it. */
export function variableReferences(text: string, start: number, end: number): VariableReference[] {
  const out: VariableReference[] = [];
  let i = start;
  while (i < end) {
    const ch = text[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '$') {
      const after = readReference(text, i, end, out);
      if (after === -1) break;
      if (after > 0) {
        i = after;
        continue;
      }
    }
    i++;
  }
  return out;
}
