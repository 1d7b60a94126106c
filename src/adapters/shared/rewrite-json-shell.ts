import { getNodePath, type JSONPath } from 'jsonc-parser';
import type { AdoptFacts, Edit, SkippedReference } from '../../core/adopt/types.js';
import type { ScanReference } from '../../core/scan/model.js';
import type { ReferenceKind } from '../types.js';
import { decodeString, type JsonNode } from './jsonc.js';
import {
  decodedIndex,
  removeJsonMember,
  removeJsonMembers,
  spliceJsonString,
} from './rewrite-json.js';
import { relativePath } from './rewrite-paths.js';
import {
  rewriteShellUnit,
  type ShellFindingInput,
  type ShellUnit,
  skipReasonText,
  uncoveredInstalls,
} from './rewrite-shell.js';

/**
 * Shell findings in JSON strings (a VS Code task, a devcontainer lifecycle command, an MCP
 * `sh -c` script) rewritten through the shared shell rewriter: each string is one piece
 * of shell text, its splices re-escaped into the string. A finding that covers several
 * strings (an argv `["python3", "-m", "venv", ".venv"]`) is a whole command: its first
 * string becomes `python/setup.sh` and the others go.
 */

export interface JsonShellScope {
  /** Repo-relative directory the command runs in; undefined when not known. */
  cwd?: string;
  /** How the command spells the repository root (`${workspaceFolder}`), if it can. */
  root?: string;
  /** Why venv creation and installs stay (see ShellUnit.keepSetup). */
  keepSetup?: string;
}

export interface JsonShellFinding {
  reference: ScanReference;
  kind: ReferenceKind;
}

type Facts = Parameters<typeof rewriteShellUnit>[1] & Pick<AdoptFacts, 'setupScript'>;

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

export function rewriteJsonShell(
  text: string,
  root: JsonNode | undefined,
  findings: readonly JsonShellFinding[],
  scopeOf: (reference: ScanReference) => JsonShellScope,
  facts: Facts,
): { edits: Edit[]; skipped: SkippedReference[] } {
  const edits: Edit[] = [];
  const skipped: SkippedReference[] = [];
  const strings = stringNodes(root);
  const units = new Map<JsonNode, JsonShellFinding[]>();
  for (const finding of findings) {
    const { span } = finding.reference;
    const first = containing(text, strings, span.start);
    const last = containing(text, strings, span.end);
    if (!first || !last) {
      skipped.push({
        reference: finding.reference,
        reason: skipReasonText({ ...finding.reference, skipReason: 'unsupported' }, facts),
      });
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
    edits.push(...result.edits);
    skipped.push(...result.skipped);
  }
  for (const [node, unitFindings] of units) {
    const decoded = decodeString(text, node)!;
    const inputs: ShellFindingInput[] = [];
    for (const finding of unitFindings) {
      const start = decodedIndex(decoded, finding.reference.span.start);
      const end = decodedIndex(decoded, finding.reference.span.end);
      if (start === -1 || end === -1) {
        skipped.push({
          reference: finding.reference,
          reason: skipReasonText({ ...finding.reference, skipReason: 'unsupported' }, facts),
        });
        continue;
      }
      inputs.push({ reference: finding.reference, kind: finding.kind, start, end });
    }
    if (inputs.length === 0) continue;
    const scope = scopeOf(inputs[0]!.reference);
    const unit: ShellUnit = { text: decoded.value, findings: inputs };
    if (scope.cwd !== undefined) unit.cwd = scope.cwd;
    if (scope.root !== undefined) unit.root = scope.root;
    if (scope.keepSetup !== undefined) unit.keepSetup = scope.keepSetup;
    const result = rewriteShellUnit(unit, facts);
    skipped.push(...result.skipped);
    for (const splice of result.splices) {
      edits.push(
        spliceJsonString(decoded, splice.start, splice.end, splice.replacement, splice.reason),
      );
    }
  }
  return { edits, skipped };
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
): { edits: Edit[]; skipped: SkippedReference[] } {
  const reference = finding.reference;
  const skip = (reason: string) => ({ edits: [], skipped: [{ reference, reason }] });
  if (reference.unified) return { edits: [], skipped: [] };
  if (reference.skipReason !== undefined && reference.skipReason !== 'documentation') {
    return skip(skipReasonText(reference, facts));
  }
  if (finding.kind !== 'venv-create' && finding.kind !== 'pip-install') {
    return skip(skipReasonText({ ...reference, skipReason: 'unsupported' }, facts));
  }
  if (scope.keepSetup !== undefined) return skip(scope.keepSetup);
  const missing = finding.kind === 'pip-install' ? uncoveredInstalls(reference, facts) : [];
  if (missing.length > 0) {
    return skip(
      `installs ${missing.join(', ')}, which ${facts.setupScript} does not: declare ${missing.length === 1 ? 'it' : 'them'} (onevenv add) and remove this install`,
    );
  }
  // The command starts inside the first string (a shell task's `"cd x && python3 -m venv"`):
  // what comes before it stays, and a `cd` there leaves only the root to spell from.
  const decoded = decodeString(text, first)!;
  const from = Math.max(0, decodedIndex(decoded, reference.span.start));
  const moved = /(?:^|[\s;&|(])(?:cd|pushd|popd)\b/.test(decoded.value.slice(0, from));
  const script =
    scope.cwd !== undefined && !moved
      ? relativePath(scope.cwd, facts.setupScript)
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
  return { edits, skipped: [] };
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
