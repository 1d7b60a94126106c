import type { Reference } from './types.js';

/** Maps offsets to 1-based line/column for one file's text; built once per file. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  /** 1-based line and column of `offset`. */
  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low]! + 1 };
  }
}

export type ReferenceFields = Omit<Reference, 'file' | 'line' | 'column' | 'span' | 'text'>;

/** Builds a Reference for text[start, end) of `file`, so every adapter reports spans alike. */
export function makeReference(
  text: string,
  lines: LineIndex,
  file: string,
  start: number,
  end: number,
  fields: ReferenceFields,
): Reference {
  const { line, column } = lines.position(start);
  return { file, line, column, span: { start, end }, text: text.slice(start, end), ...fields };
}
