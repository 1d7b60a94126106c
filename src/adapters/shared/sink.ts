import { LineIndex, makeReference, type ReferenceFields } from '../reference.js';
import type { AdapterName, Reference } from '../types.js';
import { decodeString, type JsonNode } from './jsonc.js';

/** Collects one file's references, so each adapter builds spans the same way. */
export class ReferenceSink {
  readonly references: Reference[] = [];
  private readonly lines: LineIndex;

  constructor(
    readonly text: string,
    readonly file: string,
    readonly adapter: AdapterName,
  ) {
    this.lines = new LineIndex(text);
  }

  add(start: number, end: number, fields: Omit<ReferenceFields, 'adapter'>): void {
    if (!(start >= 0 && end >= start && end <= this.text.length)) return;
    const clean: ReferenceFields = { ...fields, adapter: this.adapter };
    if (clean.skipReason === undefined) delete clean.skipReason;
    if (clean.meta === undefined) delete clean.meta;
    this.references.push(makeReference(this.text, this.lines, this.file, start, end, clean));
  }

  /** A reference spanning a JSON string's content (inside the quotes). */
  addString(node: JsonNode, fields: Omit<ReferenceFields, 'adapter'>): void {
    const decoded = decodeString(this.text, node);
    if (decoded) this.add(decoded.start, decoded.end, fields);
  }

  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    return this.lines.position(offset).line;
  }
}
