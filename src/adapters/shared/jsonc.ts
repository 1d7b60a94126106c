import { type Node, type ParseError, parseTree } from 'jsonc-parser';

/**
 * JSONC reading for the adapters of JSON-shaped config files (MCP configs, VS Code,
 * devcontainer). jsonc-parser gives a tree with raw offsets; the helpers here add what
 * the adapters need on top: typed property lookups, and decoded string values whose
 * every character maps back to its raw offset in the file, so a finding inside a
 * decoded string (a shell command, a path) becomes an exact span of the file's text.
 */

export type JsonNode = Node;

/** Never throws; an unreadable file yields undefined. Comments and trailing commas are allowed. */
export function parseJsonc(text: string): JsonNode | undefined {
  const errors: ParseError[] = [];
  try {
    return parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  } catch {
    return undefined;
  }
}

/** The value node of `key` in an object node (the last one when a key repeats, as JSON.parse does). */
export function property(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.type !== 'object' || !node.children) return undefined;
  let found: JsonNode | undefined;
  for (const prop of node.children) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (keyNode?.type === 'string' && keyNode.value === key && valueNode) found = valueNode;
  }
  return found;
}

/** [key, value] pairs of an object node, in file order. */
export function entries(node: JsonNode | undefined): Array<[string, JsonNode]> {
  if (node?.type !== 'object' || !node.children) return [];
  const result: Array<[string, JsonNode]> = [];
  for (const prop of node.children) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (keyNode?.type === 'string' && typeof keyNode.value === 'string' && valueNode) {
      result.push([keyNode.value, valueNode]);
    }
  }
  return result;
}

/** Elements of an array node. */
export function elements(node: JsonNode | undefined): JsonNode[] {
  if (node?.type !== 'array' || !node.children) return [];
  return node.children;
}

export function stringValue(node: JsonNode | undefined): string | undefined {
  return node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined;
}

/**
 * A JSON string as decoded text plus, for each decoded UTF-16 unit, its raw offset in the
 * file; `offsets[value.length]` is the raw offset just after the last unit (before the
 * closing quote). A decoded range [a, b) is the raw span [offsets[a], offsets[b]).
 */
export interface DecodedString {
  value: string;
  offsets: number[];
  /** Raw offsets of the string's content (inside the quotes). */
  start: number;
  end: number;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Decodes a string node from the raw text, keeping the offset map. */
export function decodeString(text: string, node: JsonNode | undefined): DecodedString | undefined {
  if (node?.type !== 'string') return undefined;
  const start = node.offset + 1;
  // An unterminated string (malformed file) has no closing quote inside its length.
  const last = node.offset + node.length - 1;
  const end = node.length >= 2 && text[last] === '"' ? last : node.offset + node.length;
  let value = '';
  const offsets: number[] = [];
  let i = start;
  while (i < end) {
    const ch = text[i]!;
    if (ch !== '\\' || i + 1 >= end) {
      offsets.push(i);
      value += ch;
      i += 1;
      continue;
    }
    const next = text[i + 1]!;
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) && i + 6 <= end) {
      offsets.push(i);
      value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
      continue;
    }
    offsets.push(i);
    value += SIMPLE_ESCAPES[next] ?? next;
    i += 2;
  }
  offsets.push(end);
  return { value, offsets, start, end };
}

/** The raw span of decoded range [from, to) of a decoded string. */
export function rawSpan(
  decoded: DecodedString,
  from: number,
  to: number,
): { start: number; end: number } {
  const clamp = (n: number) => Math.max(0, Math.min(n, decoded.value.length));
  return { start: decoded.offsets[clamp(from)]!, end: decoded.offsets[clamp(to)]! };
}
