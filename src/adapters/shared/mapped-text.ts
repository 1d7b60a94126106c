import type { DecodedString } from './jsonc.js';

/**
 * Text assembled from pieces of a file (decoded JSON strings, code lines of a Markdown
 * block, joined with separators that exist nowhere in the file), remembering for every
 * character the raw span of the file it came from. A finding in the assembled text maps
 * back to an exact span of the file.
 */
export class MappedText {
  private text = '';
  private readonly rawStart: number[] = [];
  private readonly rawEnd: number[] = [];

  get value(): string {
    return this.text;
  }

  /** Appends a decoded JSON string (each unit maps to its escape sequence in the file). */
  appendDecoded(decoded: DecodedString): this {
    for (let i = 0; i < decoded.value.length; i++) {
      this.push(decoded.value[i]!, decoded.offsets[i]!, decoded.offsets[i + 1]!);
    }
    return this;
  }

  /** Appends decoded unit `i` of a decoded JSON string. */
  appendDecodedUnit(decoded: DecodedString, i: number): this {
    this.push(decoded.value[i]!, decoded.offsets[i]!, decoded.offsets[i + 1]!);
    return this;
  }

  /** Appends file text[start, end) verbatim. */
  appendRaw(fileText: string, start: number, end: number): this {
    for (let i = start; i < end; i++) this.push(fileText[i]!, i, i + 1);
    return this;
  }

  /** Appends characters that are not in the file, anchored at raw offset `at`. */
  appendSynthetic(chars: string, at: number): this {
    for (const ch of chars) this.push(ch, at, at);
    return this;
  }

  /** The raw span of assembled range [start, end); undefined when it is out of range. */
  rawSpan(start: number, end: number): { start: number; end: number } | undefined {
    if (!(start >= 0 && end >= start && end <= this.text.length)) return undefined;
    if (this.text.length === 0) return undefined;
    if (start === end) {
      const at = start < this.text.length ? this.rawStart[start]! : this.rawEnd[start - 1]!;
      return { start: at, end: at };
    }
    return { start: this.rawStart[start]!, end: this.rawEnd[end - 1]! };
  }

  private push(ch: string, start: number, end: number): void {
    this.text += ch;
    this.rawStart.push(start);
    this.rawEnd.push(end);
  }
}
