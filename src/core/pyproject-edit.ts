import { parse as parseToml } from 'smol-toml';
import { detectEol } from '../util/fs.js';
import { normalizeGroup } from './config.js';
import { normalizeName, parseRequirement } from './pep508.js';
import { type KeyValue, layoutToml } from './toml-spans.js';

/**
 * Edits of `[dependency-groups]` in python/pyproject.toml that splice the arrays in
 * place: comments, quoting, ordering and line endings are kept; the result is parsed
 * again to prove the edit took.
 */

export interface EditResult {
  text: string;
  /** What happened, one entry per requirement. */
  changes: Array<{
    group: string;
    name: string;
    action: 'added' | 'replaced' | 'removed' | 'unchanged';
    old?: string;
    new?: string;
  }>;
}

export class EditError extends Error {
  override readonly name = 'EditError';
}

function groupEntries(text: string): Map<string, KeyValue> {
  const out = new Map<string, KeyValue>();
  for (const entry of layoutToml(text).entries) {
    if (entry.key.length === 2 && entry.key[0] === 'dependency-groups') {
      out.set(normalizeGroup(entry.key[1]!), entry);
    }
  }
  return out;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** The indentation and separator layout of an existing multi-line array. */
function elementIndent(text: string, entry: KeyValue): string {
  const first = entry.elements?.[0];
  const anchor = first ? first.start : entry.closeBracket!;
  const lineStart = text.lastIndexOf('\n', anchor - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  return first ? indent : `${indent}    `;
}

function appendElement(text: string, entry: KeyValue, value: string, eol: string): string {
  const elements = entry.elements ?? [];
  const close = entry.closeBracket!;
  if (elements.length === 0) {
    if (entry.multiline) {
      const indent = elementIndent(text, entry);
      const lineStart = text.lastIndexOf('\n', close - 1) + 1;
      return `${text.slice(0, lineStart)}${indent}${quote(value)},${eol}${text.slice(lineStart)}`;
    }
    return `${text.slice(0, entry.valueStart)}[${quote(value)}]${text.slice(entry.valueEnd)}`;
  }
  const last = elements[elements.length - 1]!;
  const hasTrailingComma = /^\s*,/.test(text.slice(last.end, close));
  if (!entry.multiline) {
    return `${text.slice(0, last.end)}, ${quote(value)}${text.slice(last.end)}`;
  }
  const indent = elementIndent(text, entry);
  const lineEnd = text.indexOf('\n', last.end);
  if (lineEnd === -1 || lineEnd > close) {
    // `"y"]` or `"y",]` on one line: the new element goes between, on its own line.
    return `${text.slice(0, last.end)},${eol}${indent}${quote(value)}${text.slice(last.end)}`;
  }
  // The new element gets its own line after the last one, following its comma style.
  const head = hasTrailingComma
    ? text.slice(0, lineEnd + 1)
    : `${text.slice(0, last.end)},${text.slice(last.end, lineEnd + 1)}`;
  const line = `${indent}${quote(value)}${hasTrailingComma ? ',' : ''}${eol}`;
  return `${head}${line}${text.slice(lineEnd + 1)}`;
}

function removeElement(text: string, entry: KeyValue, index: number): string {
  const elements = entry.elements!;
  const element = elements[index]!;
  if (entry.multiline) {
    const lineStart = text.lastIndexOf('\n', element.start - 1) + 1;
    const before = text.slice(lineStart, element.start);
    const lineEnd = text.indexOf('\n', element.end);
    const after = text.slice(element.end, lineEnd === -1 ? text.length : lineEnd);
    if (/^[ \t]*$/.test(before) && /^[ \t]*,?[ \t]*(#.*)?\r?$/.test(after)) {
      return text.slice(0, lineStart) + text.slice(lineEnd === -1 ? text.length : lineEnd + 1);
    }
  }
  // Inline: drop the element with the comma on one side.
  const next = elements[index + 1];
  if (next) return text.slice(0, element.start) + text.slice(next.start);
  const previous = elements[index - 1];
  if (previous) return text.slice(0, previous.end) + text.slice(element.end);
  // The only element: keep a trailing comma out of an empty array.
  const tail = text.slice(element.end, entry.closeBracket!).replace(/^\s*,/, '');
  return text.slice(0, element.start) + tail + text.slice(entry.closeBracket!);
}

function addGroup(text: string, group: string, values: string[], eol: string): string {
  const layout = layoutToml(text);
  const line = `${/^[A-Za-z0-9_-]+$/.test(group) ? group : quote(group)} = [${values.map(quote).join(', ')}]`;
  const header = layout.tables.find((t) => t.key.length === 1 && t.key[0] === 'dependency-groups');
  if (!header) {
    const sep = text === '' || text.endsWith('\n') ? '' : eol;
    const blank = text.trim() === '' ? '' : eol;
    return `${text}${sep}${blank}[dependency-groups]${eol}${line}${eol}`;
  }
  // After the last entry of the table (before blank lines and the next header).
  const next = layout.tables.find((t) => t.start > header.start);
  const tableEnd = next ? next.start : text.length;
  const inTable = layout.entries.filter((e) => e.keyStart > header.start && e.keyStart < tableEnd);
  const lastEnd = inTable.length ? Math.max(...inTable.map((e) => e.valueEnd)) : header.end;
  const lineEnd = text.indexOf('\n', lastEnd);
  const insertAt = inTable.length ? (lineEnd === -1 ? text.length : lineEnd + 1) : header.end;
  const needsEol = insertAt === text.length && !text.endsWith('\n');
  return `${text.slice(0, insertAt)}${needsEol ? eol : ''}${line}${eol}${text.slice(insertAt)}`;
}

function readGroups(text: string): Record<string, unknown[]> {
  const data = parseToml(text) as { 'dependency-groups'?: Record<string, unknown[]> };
  return data['dependency-groups'] ?? {};
}

/**
 * Adds requirements to `group` (created when missing). A requirement whose package is
 * already in the group replaces that entry; an identical one is left alone.
 */
export function addRequirements(text: string, group: string, requirements: string[]): EditResult {
  const eol = detectEol(text);
  const changes: EditResult['changes'] = [];
  let current = text;
  for (const raw of requirements) {
    const parsed = parseRequirement(raw);
    if (!parsed.ok) throw new EditError(parsed.error);
    const name = parsed.requirement.normalizedName;
    const entry = groupEntries(current).get(normalizeGroup(group));
    if (!entry) {
      current = addGroup(current, group, [raw], eol);
      changes.push({ group, name, action: 'added', new: raw });
      continue;
    }
    if (!entry.elements) {
      throw new EditError(`dependency-groups.${group} is not an array; edit it by hand`);
    }
    const existing = entry.elements.find((element) => {
      if (element.value === undefined) return false;
      const other = parseRequirement(element.value);
      return other.ok && other.requirement.normalizedName === name;
    });
    if (existing) {
      if (existing.value === raw) {
        changes.push({ group, name, action: 'unchanged', old: raw, new: raw });
        continue;
      }
      current = `${current.slice(0, existing.start)}${quote(raw)}${current.slice(existing.end)}`;
      changes.push({ group, name, action: 'replaced', old: existing.value!, new: raw });
      continue;
    }
    current = appendElement(current, entry, raw, eol);
    changes.push({ group, name, action: 'added', new: raw });
  }
  confirm(current, (groups) =>
    requirements.every((raw) => {
      const key = Object.keys(groups).find((g) => normalizeGroup(g) === normalizeGroup(group));
      return key !== undefined && (groups[key] ?? []).includes(raw);
    }),
  );
  return { text: current, changes };
}

/**
 * Removes packages (by name, any specifier) from `group`, or from every group when
 * `group` is undefined.
 */
export function removeRequirements(
  text: string,
  names: string[],
  group: string | undefined,
): EditResult {
  const changes: EditResult['changes'] = [];
  let current = text;
  for (const rawName of names) {
    const name = normalizeName(rawName);
    let found = false;
    for (;;) {
      const entries = groupEntries(current);
      let removed = false;
      for (const [key, entry] of entries) {
        if (group !== undefined && key !== normalizeGroup(group)) continue;
        const index = (entry.elements ?? []).findIndex((element) => {
          if (element.value === undefined) return false;
          const parsed = parseRequirement(element.value);
          return parsed.ok && parsed.requirement.normalizedName === name;
        });
        if (index === -1) continue;
        const old = entry.elements![index]!.value!;
        current = removeElement(current, entry, index);
        changes.push({ group: entry.key[1]!, name, action: 'removed', old });
        removed = true;
        found = true;
        break;
      }
      if (!removed) break;
    }
    if (!found) changes.push({ group: group ?? '*', name, action: 'unchanged' });
  }
  confirm(current, (groups) =>
    Object.entries(groups).every(
      ([key, values]) =>
        (group !== undefined && normalizeGroup(key) !== normalizeGroup(group)) ||
        values.every((value) => {
          if (typeof value !== 'string') return true;
          const parsed = parseRequirement(value);
          return (
            !parsed.ok || !names.map(normalizeName).includes(parsed.requirement.normalizedName)
          );
        }),
    ),
  );
  return { text: current, changes };
}

function confirm(text: string, holds: (groups: Record<string, unknown[]>) => boolean): void {
  let groups: Record<string, unknown[]>;
  try {
    groups = readGroups(text);
  } catch (error) {
    throw new EditError(
      `the edit would leave invalid TOML (${(error as Error).message.split('\n')[0]})`,
    );
  }
  if (!holds(groups)) throw new EditError('the edit did not take; edit the file by hand');
}
