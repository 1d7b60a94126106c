import { applyEdits, findNodeAtLocation, type JSONPath, modify } from 'jsonc-parser';
import type { Edit } from '../../core/adopt/types.js';
import { type DecodedString, decodeString, type JsonNode } from './jsonc.js';

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

/** JSON string content (no quotes) for `value`. */
export function encodeJsonString(value: string): string {
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

/**
 * Removes the member at `path` (a property or an array element), commas handled by
 * jsonc-parser. Removing the first member keeps the line break and indentation in front
 * of it, so the next member takes its place instead of joining the opening bracket.
 */
export function removeJsonMember(text: string, path: JSONPath, reason: string): Edit | undefined {
  const edits = modifyEdits(text, path, undefined);
  if (edits.length !== 1) return undefined;
  let start = edits[0]!.offset;
  const end = start + edits[0]!.length;
  const before = text.slice(0, start).trimEnd();
  if (before.endsWith('{') || before.endsWith('[')) {
    start += /^\s*/.exec(text.slice(start, end))![0].length;
  }
  return { start, end, replacement: edits[0]!.content, reason };
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
export function differenceEdit(before: string, after: string, reason: string): Edit | undefined {
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

/**
 * Adds `key: value` at the end of the object at `objectPath`, creating the objects on the
 * way that do not exist yet. Written in the file's indentation; a file that ends its
 * members with a comma gets one after the new member too.
 */
export function insertJsonProperty(
  text: string,
  root: JsonNode | undefined,
  objectPath: JSONPath,
  key: string,
  value: unknown,
  reason: string,
): Edit[] {
  // The deepest object on the path that exists; the rest is created inside it.
  const find = (path: JSONPath) => (root ? findNodeAtLocation(root, path) : undefined);
  let depth = objectPath.length;
  let object = find(objectPath);
  while (depth > 0 && object?.type !== 'object') {
    depth--;
    object = find(objectPath.slice(0, depth));
  }
  if (object?.type !== 'object') return [];
  const missing = objectPath.slice(depth);
  let memberKey = key;
  let memberValue: unknown = value;
  for (let i = missing.length - 1; i >= 0; i--) {
    memberValue = { [memberKey]: memberValue };
    memberKey = String(missing[i]!);
  }

  const open = object.offset;
  const close = object.offset + object.length - 1;
  const members = object.children ?? [];
  const last = members[members.length - 1];
  const valueEnd = last ? last.offset + last.length : open + 1;
  const sameLine = !text.slice(open, close).includes('\n');
  if (sameLine) {
    const member = `${JSON.stringify(memberKey)}: ${inlineJson(memberValue)}`;
    if (last) {
      return [{ start: valueEnd, end: valueEnd, replacement: `, ${member}`, reason }];
    }
    return [{ start: open + 1, end: close, replacement: ` ${member} `, reason }];
  }
  if (!onOwnLine(text, close)) return fallbackInsert(text, [...objectPath, key], value, reason);
  const unit = indentUnit(text);
  const indent =
    last && onOwnLine(text, last.offset)
      ? lineIndent(text, last.offset)
      : lineIndent(text, close) + unit;
  const serialized = JSON.stringify(memberValue, null, unit).replace(/\n/g, `\n${indent}`);
  const trailingComma = last !== undefined && commaAfter(text, valueEnd);
  const member = `${indent}${JSON.stringify(memberKey)}: ${serialized}${trailingComma ? ',' : ''}\n`;
  const closeLine = text.lastIndexOf('\n', close - 1) + 1;
  const edits: Edit[] = [];
  if (last && !trailingComma)
    edits.push({ start: valueEnd, end: valueEnd, replacement: ',', reason });
  edits.push({ start: closeLine, end: closeLine, replacement: member, reason });
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
