// biome-ignore-all lint/suspicious/noTemplateCurlyInString: presets spell their macros ${name}.
import { findNodeAtLocation, findNodeAtOffset, type JSONPath } from 'jsonc-parser';
import { relativeFromFile } from '../../core/adopt/text.js';
import type {
  Edit,
  RewriteContext,
  RewriteResult,
  Rewriter,
  SkippedReference,
} from '../../core/adopt/types.js';
import type { ScanReference } from '../../core/scan/model.js';
import { entries, type JsonNode, parseJsonc } from '../shared/jsonc.js';
import { removeJsonMember, replaceJsonString } from '../shared/rewrite-json.js';
import { skipReasonText } from '../shell/installs.js';

/**
 * CMake presets onto the project venv: cache variables and environment entries that name
 * another interpreter or venv become `${sourceDir}/…/python/.venv…`, and PYTHONPATH
 * entries the venv now puts on sys.path itself (its `paths`) leave the preset (the key
 * too once nothing else is in it, and an `environment` left empty goes as well).
 */

const PYTHONPATH_REASON = 'PYTHONPATH entries removed: the venv puts them on sys.path';
const ROOT_DIR_VARIABLES = new Set(['Python3_ROOT_DIR', 'Python_ROOT_DIR']);

export const rewriter: Rewriter = {
  rewrite: (content, references, context) => rewritePresets(content, references, context),
};

function metaString(reference: ScanReference, key: string): string | undefined {
  const value = reference.meta?.[key];
  return typeof value === 'string' ? value : undefined;
}

function environmentPath(reference: ScanReference): JSONPath {
  const type = metaString(reference, 'presetType') ?? '';
  const index = reference.meta?.presetIndex;
  return [type, typeof index === 'number' ? index : -1, 'environment'];
}

/** One PYTHONPATH value split at its separators, each entry with the separator before it. */
function pathList(value: string): Array<{ separator: string; entry: string }> {
  const out: Array<{ separator: string; entry: string }> = [];
  let separator = '';
  let from = 0;
  for (const match of value.matchAll(/\$\{pathListSep\}|[:;]/g)) {
    const at = match.index;
    // A drive letter (`C:/x`) is no separator: the same rule as detection.
    if (match[0] === ':' && /^[A-Za-z]$/.test(value.slice(from, at)) && value[at + 1] === '/') {
      continue;
    }
    out.push({ separator, entry: value.slice(from, at) });
    separator = match[0];
    from = at + match[0].length;
  }
  out.push({ separator, entry: value.slice(from) });
  return out;
}

function rewritePresets(
  text: string,
  references: ScanReference[],
  context: RewriteContext,
): RewriteResult {
  const edits: Edit[] = [];
  const skipped: SkippedReference[] = [];
  const root = parseJsonc(text);
  // `${sourceDir}` is the directory of the presets file: the venv as seen from there.
  const spell = (target: string) => `\${sourceDir}/${relativeFromFile(context.file, target)}`;
  const venv = spell(context.unifiedVenv);
  const interpreter = spell(context.interpreter);
  const provided = new Set(context.paths);
  /** environment objects (by path) and the keys that leave them. */
  const removals = new Map<string, { path: JSONPath; keys: string[] }>();

  for (const reference of references) {
    if (reference.skipReason !== undefined) {
      if (!reference.unified)
        skipped.push({ reference, reason: skipReasonText(reference, context) });
      continue;
    }
    const variable = metaString(reference, 'variable') ?? '';
    const node = root && findNodeAtOffset(root, reference.span.start);
    if (reference.kind === 'pythonpath') {
      const edit = prunePythonPath(text, node, reference, provided);
      if (edit === 'remove') {
        const path = environmentPath(reference);
        const key = JSON.stringify(path);
        const entry = removals.get(key) ?? { path, keys: [] };
        entry.keys.push(variable);
        removals.set(key, entry);
      } else if (edit) {
        edits.push(edit);
      }
      continue;
    }
    if (reference.unified) continue;
    let value: string;
    if (reference.kind === 'venv-activate') value = `${venv}/bin`;
    else if (reference.kind === 'venv-variable' || ROOT_DIR_VARIABLES.has(variable)) value = venv;
    else if (reference.kind === 'interpreter-path') value = interpreter;
    else {
      skipped.push({
        reference,
        reason: skipReasonText({ ...reference, skipReason: 'unsupported' }, context),
      });
      continue;
    }
    const reason = `${variable} → ${value}`;
    if (reference.kind === 'venv-activate') {
      // The span is one entry of a PATH list: splice it alone.
      edits.push({
        start: reference.span.start,
        end: reference.span.end,
        replacement: value,
        reason,
      });
      continue;
    }
    const edit = node && replaceJsonString(text, node, value, reason);
    if (edit) edits.push(edit);
    else
      skipped.push({
        reference,
        reason: skipReasonText({ ...reference, skipReason: 'unsupported' }, context),
      });
  }

  for (const { path, keys } of removals.values()) {
    const members = entries(root && findNodeAtLocation(root, path)).map(([key]) => key);
    const emptied = members.every((key) => keys.includes(key));
    const targets = emptied ? [path] : keys.map((key) => [...path, key]);
    for (const target of targets) {
      const edit = removeJsonMember(text, target, PYTHONPATH_REASON);
      if (edit) edits.push(edit);
    }
  }
  return { edits, skipped, notes: [] };
}

/**
 * The PYTHONPATH value without the entries the venv provides: an edit, 'remove' when
 * nothing but the inherited value would be left, or undefined when nothing changes.
 */
function prunePythonPath(
  text: string,
  node: JsonNode | undefined,
  reference: ScanReference,
  provided: ReadonlySet<string>,
): Edit | 'remove' | undefined {
  const value = metaString(reference, 'value') ?? '';
  const paths = reference.meta?.paths;
  if (!Array.isArray(paths)) return undefined;
  const self = /^\$p?env\{PYTHONPATH\}$/;
  const list = pathList(value);
  // Detection resolved each entry (inherited value and empty entries apart), in order.
  let k = 0;
  const kept: Array<{ separator: string; entry: string }> = [];
  for (const item of list) {
    if (item.entry === '' || self.test(item.entry)) {
      if (item.entry !== '') kept.push(item);
      continue;
    }
    const resolved = paths[k++];
    if (resolved === undefined || !provided.has(resolved)) kept.push(item);
  }
  if (kept.length === list.filter((i) => i.entry !== '').length) return undefined;
  if (kept.every((item) => self.test(item.entry))) return 'remove';
  const separator = list.find((i) => i.separator !== '')?.separator ?? ':';
  const joined = kept.map((item) => item.entry).join(separator);
  return replaceJsonString(text, node, joined, PYTHONPATH_REASON);
}
