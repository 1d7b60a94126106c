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
 * References in text[start, end); a reference comes after those nested in it. A `${`
 * that never closes is no reference (the ones nested in it that did close still are).
 * Iterative, so any depth of nesting is fine.
 */
export function variableReferences(text: string, start: number, end: number): VariableReference[] {
  const out: VariableReference[] = [];
  const open: Array<{
    at: number;
    namespace: VariableReference['namespace'];
    length: number;
    mark: number;
  }> = [];
  let i = start;
  while (i < end) {
    const ch = text[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '$') {
      const opened = opening(text, i);
      if (opened) {
        open.push({ at: i, ...opened, mark: out.length });
        i += opened.length;
        continue;
      }
    }
    if (ch === '}' && open.length > 0) {
      const ref = open.pop()!;
      out.push({
        namespace: ref.namespace,
        name: text.slice(ref.at + ref.length, i),
        start: ref.at,
        end: i + 1,
        nested: out.length > ref.mark,
      });
    }
    i++;
  }
  return out;
}
