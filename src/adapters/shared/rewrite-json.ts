import {
  applyEdits,
  findNodeAtLocation,
  getNodePath,
  type JSONPath,
  modify,
  type ParseError,
  parseTree,
} from 'jsonc-parser';
import { applyEdits as applyTextEdits, usesCrlf } from '../../core/adopt/apply-edits.js';
import type { Edit } from '../../core/adopt/types.js';
import { type DecodedString, decodeString, type JsonNode, parseJsonc } from './jsonc.js';

/**
 * Splices for JSONC files that keep everything the rewrite does not touch: string content
 * is re-escaped only where it changes, members are removed with jsonc-parser's own comma
 * handling (its edits, not a re-serialised document), and a new member is written in the
 * file's own indentation and comma style.
 */

/**
 * A path as adapters record it (`jsonPath`, all strings) as jsonc-parser takes it: array
 * indexes as numbers. Undefined when the path does not exist.
 */
export function jsonPathIn(
  root: JsonNode | undefined,
  path: readonly string[],
): JSONPath | undefined {
  const out: JSONPath = [];
  let node = root;
  for (const segment of path) {
    if (node?.type === 'array') {
      const index = Number(segment);
      if (!Number.isInteger(index)) return undefined;
      out.push(index);
      node = node.children?.[index];
      continue;
    }
    if (node?.type !== 'object') return undefined;
    out.push(segment);
    node = findNodeAtLocation(node, [segment]);
  }
  return node ? out : undefined;
}

/** The node at an adapter's `jsonPath`. */
export function nodeAt(root: JsonNode | undefined, path: readonly string[]): JsonNode | undefined {
  const resolved = jsonPathIn(root, path);
  return resolved && root ? findNodeAtLocation(root, resolved) : undefined;
}

/**
 * The node at `path` that holds the reference's span: with a key written twice (or a file
 * that parses only in part) the path names several nodes, and an edit of another one would
 * change text the reference never named. Undefined when none holds it.
 */
export function nodeOfReference(
  root: JsonNode | undefined,
  path: readonly string[],
  reference: { span: { start: number; end: number } },
): JsonNode | undefined {
  const { start, end } = reference.span;
  const holds = (node: JsonNode | undefined) =>
    node !== undefined && node.offset <= start && end <= node.offset + node.length;
  let node = root;
  if (!holds(node)) return undefined;
  for (const segment of path) {
    if (node?.type === 'array') {
      node = node.children?.[Number(segment)];
    } else if (node?.type === 'object') {
      node = (node.children ?? [])
        .filter((member) => member.children?.[0]?.value === segment)
        .map((member) => member.children?.[1])
        .find(holds);
    } else {
      return undefined;
    }
    if (!holds(node)) return undefined;
  }
  return node;
}

/**
 * The node at `path` as jsonc-parser's path edits (`modify`) reach it, only when that is
 * the node holding `span`: with a key written twice they reach the first one.
 */
export function editableNodeOf(
  root: JsonNode | undefined,
  path: readonly string[],
  span: { start: number; end: number },
): JsonNode | undefined {
  const node = nodeOfReference(root, path, { span });
  return node !== undefined && nodeAt(root, path) === node ? node : undefined;
}

/** JSON string content (no quotes) for `value`. */
function encodeJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** Replaces decoded range [from, to) of a string with `replacement` (decoded text). */
export function spliceJsonString(
  decoded: DecodedString,
  from: number,
  to: number,
  replacement: string,
  reason: string,
): Edit {
  return {
    start: decoded.offsets[from]!,
    end: decoded.offsets[to]!,
    replacement: encodeJsonString(replacement),
    reason,
  };
}

/** Replaces a string's whole content. */
export function replaceJsonString(
  text: string,
  node: JsonNode | undefined,
  value: string,
  reason: string,
): Edit | undefined {
  const decoded = decodeString(text, node);
  if (!decoded) return undefined;
  return spliceJsonString(decoded, 0, decoded.value.length, value, reason);
}

/** The decoded index of raw offset `raw` in a string, or -1. */
export function decodedIndex(decoded: DecodedString, raw: number): number {
  return decoded.offsets.indexOf(raw);
}

function modifyEdits(text: string, path: JSONPath, value: unknown) {
  try {
    return modify(text, path, value, {});
  } catch {
    return [];
  }
}

function parseErrors(text: string): number {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  return errors.length;
}

/**
 * Removes the member at `path` (a property or an array element). Properties go the way
 * jsonc-parser removes them (its comma handling); array elements by their neighbours
 * (jsonc-parser cuts into the last element of `["a", "b"]`). Removing the first member
 * keeps the line break and indentation in front of it, so the next member takes its place
 * instead of joining the opening bracket. Undefined when the path does not exist or the
 * result would not parse as well as the text did.
 */
export function removeJsonMember(text: string, path: JSONPath, reason: string): Edit | undefined {
  const range = removalRange(text, path);
  if (!range) return undefined;
  let { start } = range;
  const { end } = range;
  const before = text.slice(0, start).trimEnd();
  if (before.endsWith('{') || before.endsWith('[')) {
    start += /^\s*/.exec(text.slice(start, end))![0].length;
  }
  const after = text.slice(0, start) + text.slice(end);
  if (parseErrors(after) > parseErrors(text)) return undefined;
  return { start, end, replacement: '', reason };
}

function removalRange(text: string, path: JSONPath): { start: number; end: number } | undefined {
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
    const array = root ? findNodeAtLocation(root, path.slice(0, -1)) : undefined;
    const items = array?.type === 'array' ? (array.children ?? []) : [];
    const item = items[last];
    if (!item) return undefined;
    const previous = items[last - 1];
    const next = items[last + 1];
    if (previous)
      return { start: previous.offset + previous.length, end: item.offset + item.length };
    if (next) return { start: item.offset, end: next.offset };
    return { start: item.offset, end: item.offset + item.length };
  }
  const edits = modifyEdits(text, path, undefined);
  if (edits.length !== 1 || edits[0]!.content !== '') return undefined;
  return { start: edits[0]!.offset, end: edits[0]!.offset + edits[0]!.length };
}

/**
 * Removes several members as one splice (array elements given last index first, so each
 * path still names the same element when its turn comes).
 */
export function removeJsonMembers(
  text: string,
  paths: readonly JSONPath[],
  reason: string,
): Edit | undefined {
  let current = text;
  for (const path of paths) {
    const edit = removeJsonMember(current, path, reason);
    if (!edit) return undefined;
    current = applyEdits(current, [
      { offset: edit.start, length: edit.end - edit.start, content: edit.replacement },
    ]);
  }
  return differenceEdit(text, current, reason);
}

/** One splice that turns `before` into `after` (the changed middle). */
function differenceEdit(before: string, after: string, reason: string): Edit | undefined {
  if (before === after) return undefined;
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix++;
  }
  return {
    start: prefix,
    end: before.length - suffix,
    replacement: after.slice(prefix, after.length - suffix),
    reason,
  };
}

/** The file's indentation unit: its first indented line's, else two spaces. */
export function indentUnit(text: string): string {
  const match = /^([ \t]+)\S/m.exec(text);
  if (!match) return '  ';
  return match[1]!.startsWith('\t') ? '\t' : match[1]!;
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function onOwnLine(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return text.slice(start, offset).trim() === '';
}

/** `{ "a": "b" }` for a one-line object. */
function inlineJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`);
    return members.length === 0 ? '{}' : `{ ${members.join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** A comma (comments and blanks allowed in between) right after `offset`? */
function commaAfter(text: string, offset: number): boolean {
  return /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*,/.test(text.slice(offset));
}

export interface JsonInsert {
  /** The object to add to; objects on the way that do not exist yet are created. */
  objectPath: JSONPath;
  key: string;
  value: unknown;
  reason: string;
}

/** Merges `value` into `into` (both plain objects from JsonInsert values). */
function mergeInto(into: Record<string, unknown>, value: Record<string, unknown>): void {
  for (const [key, member] of Object.entries(value)) {
    const existing = into[key];
    if (isPlainObject(existing) && isPlainObject(member)) mergeInto(existing, member);
    else into[key] = member;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Adds members at the end of existing objects, in the file's indentation; a file that ends
 * its members with a comma gets one after the new members too. Inserts that land in the
 * same object (a `customizations` created beside a new `postCreateCommand`) are written
 * together, so their commas agree.
 */
export function insertJsonMembers(
  text: string,
  root: JsonNode | undefined,
  inserts: readonly JsonInsert[],
): Edit[] {
  // Nothing is added to a file that does not parse: where its objects end is a guess.
  if (parseErrors(text) > 0) return [];
  const find = (path: JSONPath) => (root ? findNodeAtLocation(root, path) : undefined);
  const groups = new Map<JsonNode, Array<{ key: string; value: unknown; reason: string }>>();
  for (const insert of inserts) {
    // The deepest object on the path that exists; the rest is created inside it.
    let depth = insert.objectPath.length;
    let object = find(insert.objectPath);
    while (depth > 0 && object?.type !== 'object') {
      depth--;
      object = find(insert.objectPath.slice(0, depth));
    }
    if (object?.type !== 'object') continue;
    const missing = insert.objectPath.slice(depth);
    let key = insert.key;
    let value: unknown = insert.value;
    for (let i = missing.length - 1; i >= 0; i--) {
      value = { [key]: value };
      key = String(missing[i]!);
    }
    const members = groups.get(object) ?? [];
    const same = members.find((member) => member.key === key);
    if (same && isPlainObject(same.value) && isPlainObject(value)) mergeInto(same.value, value);
    else members.push({ key, value, reason: insert.reason });
    groups.set(object, members);
  }
  const edits: Edit[] = [];
  for (const [object, members] of groups) edits.push(...insertMembers(text, object, members));
  return edits;
}

/**
 * `insertJsonMembers` after the rewrite's other `edits`: the places are found in the edited
 * text and mapped back. A file that parses only once those edits are made (a string with a
 * bad escape rewritten) gets its members now, as the next adopt, reading the edited file,
 * would add them. When one would land inside another edit's replacement, nothing is added.
 * The inserts go before the other edits: one at the start of a replaced range comes first.
 */
export function insertJsonMembersAfter(
  text: string,
  edits: readonly Edit[],
  inserts: readonly JsonInsert[],
): Edit[] {
  const applied = applyTextEdits(text, edits);
  if (!applied.ok) return [];
  const after = applied.text;
  const added = insertJsonMembers(after, parseJsonc(after), inserts);
  const crlf = usesCrlf(text);
  const placed: Array<{ newStart: number; newEnd: number; shift: number }> = [];
  let shift = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    const length = (crlf ? edit.replacement.replace(/\r?\n/g, '\r\n') : edit.replacement).length;
    const newStart = edit.start + shift;
    shift += length - (edit.end - edit.start);
    placed.push({ newStart, newEnd: newStart + length, shift });
  }
  const back = (at: number): number | undefined => {
    let before = 0;
    for (const { newStart, newEnd, shift: after } of placed) {
      if (at <= newStart) break;
      if (at < newEnd) return undefined;
      before = after;
    }
    return at - before;
  };
  const out: Edit[] = [];
  for (const edit of added) {
    const start = back(edit.start);
    const end = back(edit.end);
    if (start === undefined || end === undefined) return [];
    out.push({ ...edit, start, end });
  }
  return out;
}

/** `insertJsonMembers` for one member. */
export function insertJsonProperty(
  text: string,
  root: JsonNode | undefined,
  objectPath: JSONPath,
  key: string,
  value: unknown,
  reason: string,
): Edit[] {
  return insertJsonMembers(text, root, [{ objectPath, key, value, reason }]);
}

function insertMembers(
  text: string,
  object: JsonNode,
  members: Array<{ key: string; value: unknown; reason: string }>,
): Edit[] {
  const open = object.offset;
  const close = object.offset + object.length - 1;
  // An object the file never closes (malformed) gets nothing.
  if (close <= open || text[close] !== '}') return [];
  const existing = object.children ?? [];
  const last = existing[existing.length - 1];
  const valueEnd = last ? last.offset + last.length : open + 1;
  const sameLine = !text.slice(open, close).includes('\n');
  if (sameLine) {
    const written = members.map(({ key, value }) => `${JSON.stringify(key)}: ${inlineJson(value)}`);
    const reason = members.map((member) => member.reason).join('; ');
    if (last) {
      return [{ start: valueEnd, end: valueEnd, replacement: `, ${written.join(', ')}`, reason }];
    }
    return [{ start: open + 1, end: close, replacement: ` ${written.join(', ')} `, reason }];
  }
  if (!onOwnLine(text, close)) {
    return members.flatMap(({ key, value, reason }) =>
      fallbackInsert(text, [...getNodePath(object), key], value, reason),
    );
  }
  const unit = indentUnit(text);
  const indent =
    last && onOwnLine(text, last.offset)
      ? lineIndent(text, last.offset)
      : lineIndent(text, close) + unit;
  const trailingComma = last !== undefined && commaAfter(text, valueEnd);
  const closeLine = text.lastIndexOf('\n', close - 1) + 1;
  const edits: Edit[] = [];
  if (last && !trailingComma) {
    edits.push({ start: valueEnd, end: valueEnd, replacement: ',', reason: members[0]!.reason });
  }
  members.forEach(({ key, value, reason }, i) => {
    const serialized = JSON.stringify(value, null, unit).replace(/\n/g, `\n${indent}`);
    const comma = i < members.length - 1 || trailingComma ? ',' : '';
    edits.push({
      start: closeLine,
      end: closeLine,
      replacement: `${indent}${JSON.stringify(key)}: ${serialized}${comma}\n`,
      reason,
    });
  });
  return edits;
}

/** jsonc-parser's own insertion, unformatted, for layouts the one above does not read. */
function fallbackInsert(text: string, path: JSONPath, value: unknown, reason: string): Edit[] {
  return modifyEdits(text, path, value).map((edit) => ({
    start: edit.offset,
    end: edit.offset + edit.length,
    replacement: edit.content,
    reason,
  }));
}
