import { getNodePath, type JSONPath } from 'jsonc-parser';
import type { Edit, RewriteContext, SkippedReference } from '../../core/adopt/types.js';
import type { ScanReference } from '../../core/scan/model.js';
import { directoryAfter, pythonpathAfter } from '../shell/directory.js';
import { installStays, skipReasonText } from '../shell/installs.js';
import { type EntryPath, planShellText, type Site } from '../shell/move-shell.js';
import { type Change, type Plan, settle } from '../shell/settle.js';
import { composeWord, type Fragment, relativePath } from '../shell/words.js';
import type { ReferenceKind } from '../types.js';
import { decodeString, type JsonNode } from './jsonc.js';
import {
  decodedIndex,
  removeJsonMember,
  removeJsonMembers,
  spliceJsonString,
} from './rewrite-json.js';

/**
 * Shell findings in JSON strings (a VS Code task, a devcontainer lifecycle command, an MCP
 * `sh -c` script) rewritten by the shell adapter's rewriter (`move-shell.ts`): each string
 * is one piece of shell text, its edits re-escaped into the string, and the plan proved
 * as the shell rewriters' are (`settle.ts`). A finding that covers several strings (an
 * argv `["python3", "-m", "venv", ".venv"]`) is a whole command: its first string becomes
 * `python/setup.sh` and the others go.
 */

export interface JsonShellScope {
  /** Repo-relative directory the command runs in; undefined when not known. */
  cwd?: string;
  /** How the command spells the repository root (`${workspaceFolder}`), if it can. */
  root?: string;
  /** Why venv creation and installs stay (`initializeCommand` runs on the host). */
  keepSetup?: string;
}

export interface JsonShellFinding {
  reference: ScanReference;
  kind: ReferenceKind;
}

type Facts = RewriteContext;

/** String values of the tree (property names left out), in file order. */
function stringNodes(node: JsonNode | undefined, out: JsonNode[] = []): JsonNode[] {
  if (!node) return out;
  const isKey = node.parent?.type === 'property' && node.parent.children?.[0] === node;
  if (node.type === 'string' && !isKey) out.push(node);
  for (const child of node.children ?? []) stringNodes(child, out);
  return out;
}

/** The string whose content holds `offset` (an unterminated string has no closing quote). */
function containing(text: string, strings: JsonNode[], offset: number): JsonNode | undefined {
  return strings.find((node) => {
    const last = node.offset + node.length - 1;
    const end = node.length >= 2 && text[last] === '"' ? last : node.offset + node.length;
    return offset >= node.offset + 1 && offset <= end;
  });
}

/** The plan for one string of shell text, in the file's offsets. */
function planString(
  text: string,
  node: JsonNode,
  findings: readonly JsonShellFinding[],
  scope: JsonShellScope,
  facts: Facts,
): Plan {
  const decoded = decodeString(text, node)!;
  const plan: Plan = { changes: [], dependents: [], skipped: [], notes: [] };
  const sites: Site[] = [];
  for (const { reference } of findings) {
    const start = decodedIndex(decoded, reference.span.start);
    const end = decodedIndex(decoded, reference.span.end);
    if (start === -1 || end === -1) {
      plan.skipped.push({
        reference,
        reason: skipReasonText({ ...reference, skipReason: 'unsupported' }, facts),
      });
      continue;
    }
    // A program string read as one word (a process task's `"command"`) is, as shell
    // text, an interpreter and its arguments: the interpreter is the first word.
    const blank = decoded.value.slice(start, end).search(/\s/);
    const word = reference.kind === 'python-command' || reference.kind === 'interpreter-path';
    sites.push({ reference, start, end: word && blank > 0 ? start + blank : end });
  }
  const shell = decoded.value;
  const directory = (offset: number) =>
    scope.cwd === undefined
      ? undefined
      : directoryAfter(shell.slice(0, offset), { cwd: scope.cwd === '.' ? '' : scope.cwd });
  const rooted = (path: string): Fragment | undefined =>
    scope.root === undefined ? undefined : { text: `${scope.root}/${path}`, expands: true };
  const venvAt = (offset: number): Fragment | undefined => {
    const at = directory(offset);
    if (at === undefined) return rooted(facts.unifiedVenv);
    return { text: relativePath(at, facts.unifiedVenv), expands: false, relative: true };
  };
  const part = planShellText(shell, 0, shell.length, sites, {
    context: facts,
    venvAt,
    absoluteVenvAt: () => rooted(facts.unifiedVenv),
    creation: (offset) => {
      const at = directory(offset);
      if (at === undefined) return [composeWord(rooted(facts.setupScript)!, '', '')];
      const script = relativePath(at, facts.setupScript);
      return [script.includes('/') ? script : `./${script}`];
    },
    creationReason: `venv creation → ${facts.setupScript}`,
    bareInterpreter: 'replace',
    bareFallback: '',
    installSetsUp: true,
    uvRun: true,
    python3: true,
    ...(scope.keepSetup === undefined ? {} : { keepSetup: scope.keepSetup }),
    entryPath: (raw, offset): EntryPath => {
      const path = pythonpathAfter(shell.slice(0, offset), raw, { cwd: scope.cwd ?? '' });
      return path === undefined ? { sure: false } : { path, sure: !raw.includes('$') };
    },
  });
  plan.changes.push(
    ...part.changes.map((change) => ({
      ...change,
      edits: change.edits.map((edit) =>
        spliceJsonString(decoded, edit.start, edit.end, edit.replacement, edit.reason),
      ),
    })),
  );
  plan.dependents.push(...part.dependents);
  plan.skipped.push(...part.skipped);
  plan.notes.push(...part.notes);
  return plan;
}

/**
 * `findings` are the shell references of the file; `others` every other reference, which
 * the shell edits must leave as they are. Returns the shell edits that hold.
 */
export function rewriteJsonShell(
  text: string,
  root: JsonNode | undefined,
  findings: readonly JsonShellFinding[],
  scopeOf: (reference: ScanReference) => JsonShellScope,
  facts: Facts,
  detect: (text: string) => ScanReference[],
  others: readonly ScanReference[],
): { edits: Edit[]; skipped: SkippedReference[]; notes: string[] } {
  const plan: Plan = { changes: [], dependents: [], skipped: [], notes: [] };
  const strings = stringNodes(root);
  const units = new Map<JsonNode, JsonShellFinding[]>();
  for (const finding of findings) {
    const { span } = finding.reference;
    const first = containing(text, strings, span.start);
    const last = containing(text, strings, span.end);
    if (!first || !last) {
      if (!finding.reference.unified) {
        plan.skipped.push({
          reference: finding.reference,
          reason: skipReasonText({ ...finding.reference, skipReason: 'unsupported' }, facts),
        });
      }
      continue;
    }
    if (first === last) {
      units.set(first, [...(units.get(first) ?? []), finding]);
      continue;
    }
    const result = rewriteArgv(
      text,
      strings,
      first,
      last,
      finding,
      scopeOf(finding.reference),
      facts,
    );
    if ('change' in result) plan.changes.push(result.change);
    else plan.skipped.push(...result.skipped);
  }
  for (const [node, unitFindings] of units) {
    const part = planString(text, node, unitFindings, scopeOf(unitFindings[0]!.reference), facts);
    plan.changes.push(...part.changes);
    plan.dependents.push(...part.dependents);
    plan.skipped.push(...part.skipped);
    plan.notes.push(...part.notes);
  }
  plan.others = others;
  const result = settle(text, plan, detect);
  return { edits: result.edits, skipped: result.skipped, notes: result.notes };
}

/** A venv creation or install that is a whole argv: `python/setup.sh` instead. */
function rewriteArgv(
  text: string,
  strings: JsonNode[],
  first: JsonNode,
  last: JsonNode,
  finding: JsonShellFinding,
  scope: JsonShellScope,
  facts: Facts,
): { change: Change } | { skipped: SkippedReference[] } {
  const reference = finding.reference;
  const skip = (reason: string) => ({ skipped: [{ reference, reason }] });
  if (reference.unified) return { skipped: [] };
  if (reference.skipReason !== undefined) return skip(skipReasonText(reference, facts));
  if (finding.kind !== 'venv-create' && finding.kind !== 'pip-install') {
    return skip(skipReasonText({ ...reference, skipReason: 'unsupported' }, facts));
  }
  if (scope.keepSetup !== undefined) return skip(scope.keepSetup);
  const stays = finding.kind === 'pip-install' ? installStays(reference, [], facts) : undefined;
  if (stays !== undefined) return skip(stays);
  // The command starts inside the first string (a shell task's `"cd x && python3 -m venv"`):
  // what comes before it stays, and a `cd` there leaves only the root to spell from.
  const decoded = decodeString(text, first)!;
  const from = Math.max(0, decodedIndex(decoded, reference.span.start));
  const moved = /(?:^|[\s;&|(])(?:cd|pushd|popd)\b/.test(decoded.value.slice(0, from));
  const script =
    scope.cwd !== undefined && !moved
      ? relativePath(scope.cwd === '.' ? '' : scope.cwd, facts.setupScript)
      : scope.root !== undefined
        ? `${scope.root}/${facts.setupScript}`
        : undefined;
  if (script === undefined) {
    return skip(`runs in a directory onevenv cannot tell: run ${facts.setupScript} there by hand`);
  }
  const reason =
    finding.kind === 'venv-create'
      ? `venv creation → ${facts.setupScript}`
      : `pip install → ${facts.setupScript} (installs the lock)`;
  const covered = strings.filter(
    (node) => node.offset > first.offset && node.offset + node.length <= last.offset + last.length,
  );
  let spelled = script.includes('/') ? script : `./${script}`;
  // After a `cd` in shell text the root is a variable the shell splits on blanks: quote it.
  if (moved) spelled = `"${spelled}"`;
  const edits: Edit[] = [spliceJsonString(decoded, from, decoded.value.length, spelled, reason)];
  const removal = removeStrings(text, first, covered, reason);
  if (!removal) return skip(skipReasonText({ ...reference, skipReason: 'unsupported' }, facts));
  edits.push(removal);
  return {
    change: {
      edits,
      references: [reference],
      fallback: `could not replace this command cleanly: run ${facts.setupScript} instead by hand`,
    },
  };
}

/**
 * Removes `nodes` (argv strings after `first`): the whole array when it holds nothing else
 * and is not `first`'s own, else the elements, last first.
 */
function removeStrings(
  text: string,
  first: JsonNode,
  nodes: JsonNode[],
  reason: string,
): Edit | undefined {
  const array = nodes[0]?.parent;
  if (array?.type !== 'array' || nodes.some((node) => node.parent !== array)) {
    return undefined;
  }
  const whole = array.children?.length === nodes.length && first.parent !== array;
  if (whole && array.parent?.type === 'property') {
    return removeJsonMember(text, getNodePath(array), reason);
  }
  const paths: JSONPath[] = nodes.map((node) => getNodePath(node)).reverse();
  return removeJsonMembers(text, paths, reason);
}
