// biome-ignore-all lint/suspicious/noTemplateCurlyInString: devcontainer.json spells its variables ${name}.
import { applyEdits } from '../../core/adopt/apply-edits.js';
import type { Edit, RewriteContext, RewriteResult, Rewriter } from '../../core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../core/scan/model.js';
import {
  decodeString,
  elements,
  entries,
  type JsonNode,
  parseJsonc,
  property,
  stringValue,
} from '../shared/jsonc.js';
import { workspaceOf } from '../shared/paths.js';
import {
  insertJsonMembersAfter,
  type JsonInsert,
  nodeOfReference,
  spliceJsonString,
} from '../shared/rewrite-json.js';
import { rewriteJsonShell } from '../shared/rewrite-json-shell.js';
import { settleFollowers } from '../shared/rewrite-settle.js';
import { skipReasonText } from '../shell/installs.js';
import { moveWord } from '../shell/words.js';
import { interpreterSettingInsert, SettingsRewrite } from '../vscode/rewrite.js';
import { detectDevcontainerReferences, LIFECYCLE_COMMANDS } from './detect.js';

/**
 * A dev container onto the unified venv: lifecycle commands that create a venv or install
 * into one run `python/setup.sh` instead (the rest of the command line kept), interpreter
 * paths and activation move, the interpreter setting becomes
 * `${containerWorkspaceFolder}/python/.venv/bin/python3` (added when missing), and when
 * nothing runs setup.sh yet, `postCreateCommand` does. `initializeCommand` runs on the
 * host, where python/.venv is not the container's: it is left alone.
 */

const ROOT = '${containerWorkspaceFolder}';
const INTERPRETER_SETTINGS = new Set(['python.defaultInterpreterPath', 'python.pythonPath']);

function metaString(reference: ScanReference, key: string): string | undefined {
  const value = reference.meta?.[key];
  return typeof value === 'string' ? value : undefined;
}

function detectAgain(text: string, file: string, unifiedVenv: string): ScanReference[] {
  return classifyReferences(
    detectDevcontainerReferences(text, file, { unifiedVenv })?.references ?? [],
    unifiedVenv,
  );
}

/** `PATH` whose first entry is a venv's bin dir: that entry moves. */
function pathActivation(run: SettingsRewrite, reference: ScanReference): void {
  const jsonPath = reference.meta?.jsonPath;
  const decoded = decodeString(
    run.text,
    nodeOfReference(run.root, Array.isArray(jsonPath) ? jsonPath : [], reference),
  );
  const colon = decoded?.value.indexOf(':') ?? -1;
  const first = decoded?.value.slice(0, colon === -1 ? undefined : colon);
  const moved =
    first === undefined
      ? undefined
      : moveWord(first, reference.environment, run.facts.unifiedVenv, () => ({
          text: run.facts.unifiedVenv,
          expands: false,
          relative: true,
        }));
  if (!decoded || !first || !moved) {
    run.skip(reference, skipReasonText({ ...reference, skipReason: 'unsupported' }, run.facts));
    return;
  }
  run.edits.push(
    spliceJsonString(decoded, 0, first.length, moved, `PATH → ${run.facts.unifiedVenv}/bin`),
  );
  run.moving = true;
}

/** Does any lifecycle command of `text` run the setup script? */
function runsSetup(text: string, setupScript: string): boolean {
  const root = parseJsonc(text);
  const values: string[] = [];
  const collect = (node: JsonNode | undefined): void => {
    const value = stringValue(node);
    if (value !== undefined) values.push(value);
    for (const element of elements(node)) collect(element);
    for (const [, member] of entries(node)) collect(member);
  };
  for (const key of LIFECYCLE_COMMANDS) {
    if (key !== 'initializeCommand') collect(property(root, key));
  }
  return values.some((value) => value.includes(setupScript));
}

/**
 * Has postCreateCommand run setup.sh too, in whichever form it has: an edit of the
 * command, or a member to insert (with the other inserts, so commas agree).
 */
function ensureSetup(run: SettingsRewrite, notes: string[]): JsonInsert | undefined {
  const facts = run.facts;
  const applied = applyEdits(run.text, run.edits);
  if (!applied.ok || runsSetup(applied.text, facts.setupScript)) return undefined;
  const reason = `postCreateCommand runs ${facts.setupScript}`;
  const node = property(run.root, 'postCreateCommand');
  if (!node) return { objectPath: [], key: 'postCreateCommand', value: facts.setupScript, reason };
  const decoded = decodeString(run.text, node);
  if (decoded) {
    if (/#|[&|;\\]\s*$/.test(decoded.value)) {
      notes.push(`postCreateCommand: add ${facts.setupScript} to it by hand`);
      return undefined;
    }
    const end = decoded.value.length;
    const joined = decoded.value.trim() === '' ? facts.setupScript : ` && ${facts.setupScript}`;
    run.edits.push(spliceJsonString(decoded, end, end, joined, reason));
    return undefined;
  }
  if (node.type === 'object') {
    const names = new Set(entries(node).map(([name]) => name));
    const step = names.has('python') ? 'onevenv' : 'python';
    return { objectPath: ['postCreateCommand'], key: step, value: facts.setupScript, reason };
  }
  notes.push(`postCreateCommand is an argument list: run ${facts.setupScript} from it by hand`);
  return undefined;
}

function rewriteDevcontainer(
  content: string,
  references: ScanReference[],
  context: RewriteContext,
): RewriteResult {
  const root = parseJsonc(content);
  const run = new SettingsRewrite(content, root, context, ROOT);
  const notes: string[] = [];
  if (root?.type !== 'object') {
    for (const reference of references) {
      if (!reference.unified) {
        run.skip(reference, skipReasonText({ ...reference, skipReason: 'parse-error' }, context));
      }
    }
    return { edits: [], skipped: run.skipped, notes };
  }
  const lifecycle: ScanReference[] = [];
  for (const reference of references) {
    const command = metaString(reference, 'command');
    if (command !== undefined && LIFECYCLE_COMMANDS.includes(command)) {
      lifecycle.push(reference);
      continue;
    }
    if (reference.unified) continue;
    const setting = metaString(reference, 'setting');
    if (setting !== undefined && INTERPRETER_SETTINGS.has(setting)) {
      run.interpreterValue(reference);
    } else if (setting === 'python.venvPath') {
      run.skip(
        reference,
        `python.venvPath is a folder the Python extension searches for venvs, not a venv: remove it once python.defaultInterpreterPath names ${context.unifiedVenv}`,
      );
    } else if (reference.meta?.via === 'PATH' && reference.skipReason === undefined) {
      pathActivation(run, reference);
    } else {
      run.envEntry(reference, 'the interpreter setting');
    }
  }
  if (lifecycle.length > 0) {
    const cwd = workspaceOf(context.file);
    const result = rewriteJsonShell(
      content,
      root,
      lifecycle.map((reference) => ({ reference, kind: reference.kind })),
      (reference) =>
        reference.meta?.host === true
          ? {
              keepSetup: `initializeCommand runs on the host, where ${context.unifiedVenv} is the container's: left as it is`,
            }
          : { cwd, root: ROOT },
      context,
      (text) => detectAgain(text, context.file, context.unifiedVenv),
      references.filter((reference) => !lifecycle.includes(reference)),
    );
    run.edits.push(...result.edits);
    run.skipped.push(...result.skipped);
    if (result.edits.length > 0) run.moving = true;
  }
  run.finish();
  if (run.moving) {
    const legacy = property(root, 'settings');
    const hasLegacy = legacy?.children?.some(
      (member) => member.children?.[0]?.value === 'python.defaultInterpreterPath',
    );
    const inserts = [
      hasLegacy
        ? undefined
        : interpreterSettingInsert(run, ['customizations', 'vscode', 'settings']),
      ensureSetup(run, notes),
    ].filter((insert): insert is JsonInsert => insert !== undefined);
    run.edits.unshift(...insertJsonMembersAfter(content, run.edits, inserts));
  }
  const followers = settleFollowers(content, run.edits, run.followers, (text) =>
    detectAgain(text, context.file, context.unifiedVenv),
  );
  const edits: Edit[] = run.edits;
  return { edits, skipped: [...run.skipped, ...followers], notes };
}

export const rewriter: Rewriter = { rewrite: rewriteDevcontainer };
