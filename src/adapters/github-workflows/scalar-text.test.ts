import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, parseDocument, type Scalar, stringify } from 'yaml';
import { mapScalar } from './scalar-text.js';

const STYLES = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;

function runScalar(text: string): Scalar {
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) throw new Error('not a map');
  return doc.contents.get('run', true) as Scalar;
}

describe('mapScalar', () => {
  it('maps a literal block line by line, skipping the header and indentation', () => {
    const text = 'run: |  # not content\r\n  a b\r\n  c\r\n';
    const mapped = mapScalar(text, runScalar(text))!;
    expect(mapped.text).toBe('a b\nc\n');
    expect(mapped.rawSpan(0, 3)).toEqual({ start: 25, end: 28 });
    expect(mapped.rawSpan(3, 4)).toEqual({ start: 28, end: 30 });
    expect(mapped.rawSpan(4, 5)).toEqual({ start: 32, end: 33 });
  });

  it('maps escapes of double-quoted scalars to the whole escape', () => {
    const text = 'run: "a\\"b\\u00e9"';
    const mapped = mapScalar(text, runScalar(text))!;
    expect(mapped.text).toBe('a"bé');
    expect(mapped.rawSpan(1, 2)).toEqual({ start: 7, end: 9 });
    expect(mapped.rawSpan(3, 4)).toEqual({ start: 10, end: 16 });
  });

  it('aligns every value in every style the yaml library writes (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80, unit: 'grapheme' }),
        fc.constantFrom(...STYLES),
        fc.boolean(),
        (value, style, crlf) => misalignment(value, style, crlf) === undefined,
      ),
      { numRuns: 1000 },
    );
  });
});

/** Why the value's characters do not line up with the file, or undefined when they do. */
function misalignment(
  value: string,
  style: (typeof STYLES)[number],
  crlf: boolean,
): string | undefined {
  let text = stringify({ run: value }, { defaultStringType: style, lineWidth: 20 });
  if (crlf) text = text.replace(/\n/g, '\r\n');
  const scalar = runScalar(text);
  if (scalar.value !== value) return undefined; // the style could not hold this value
  const mapped = mapScalar(text, scalar);
  if (mapped === undefined) return 'not mapped';
  if (mapped.text !== value) return 'different text';
  for (let i = 0; i < value.length; i++) {
    const span = mapped.rawSpan(i, i + 1)!;
    const raw = text.slice(span.start, span.end);
    const c = value[i]!;
    const folded = /^\r?\n$/.test(raw) && (c === ' ' || c === '\n');
    if (raw === c || raw.startsWith('\\') || folded) continue;
    return `${i}: ${JSON.stringify(c)} maps to ${JSON.stringify(raw)}`;
  }
  return undefined;
}
