// biome-ignore-all lint/suspicious/noTemplateCurlyInString: MCP clients spell their variables ${name}.
import type {
  Edit,
  RewriteContext,
  RewriteResult,
  Rewriter,
  SkippedReference,
} from '../../core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../core/scan/model.js';
import { elements, type JsonNode, parseJsonc, stringValue } from '../shared/jsonc.js';
import { basename, isPythonName } from '../shared/paths.js';
import {
  editableNodeOf,
  jsonPathIn,
  nodeAt,
  nodeOfReference,
  removeJsonMember,
  removeJsonMembers,
  replaceJsonString,
} from '../shared/rewrite-json.js';
import { rewriteJsonShell } from '../shared/rewrite-json-shell.js';
import { skipReasonText, uncoveredPaths } from '../shell/installs.js';
import { relativePath } from '../shell/words.js';
import { detectMcpReferences } from './detect.js';

/**
 * MCP servers onto the unified venv: `command` becomes its interpreter (a `uv run …`
 * runner too, its arguments kept), a console script its copy in the venv, `sh -c`
 * scripts go through the shared shell rewriter, and `env.PYTHONPATH` entries the venv now
 * provides through `paths` leave `env` (an `env` left empty goes too).
 */

type Facts = RewriteContext;

/** Runners whose `run` executes a command in the project's environment. */
const RUNNERS = new Set(['uv', 'poetry', 'pipenv', 'pdm', 'rye']);

function meta(reference: ScanReference, key: string): unknown {
  return reference.meta?.[key];
}

function jsonPathOf(reference: ScanReference): string[] | undefined {
  const path = meta(reference, 'jsonPath');
  return Array.isArray(path) ? path : undefined;
}

/** The server object's path: `[…, name]` from `[…, name, 'command']` or `[…, name, 'env', KEY]`. */
function serverPathOf(jsonPath: string[]): string[] {
  return jsonPath[jsonPath.length - 1] === 'command'
    ? jsonPath.slice(0, -1)
    : jsonPath.slice(0, -2);
}

/** A file of the repository as the server's client must spell it. */
function spell(reference: ScanReference, path: string): string {
  const root = meta(reference, 'rootVariable');
  if (typeof root === 'string') return `${root}/${path}`;
  const cwd = meta(reference, 'cwd');
  const relative = relativePath(typeof cwd === 'string' ? cwd : '.', path);
  return relative.includes('/') ? relative : `./${relative}`;
}

/** Is the string at `jsonPath` the script of `sh -c`? (then its findings are shell findings) */
function isShellScript(root: JsonNode | undefined, jsonPath: string[]): boolean {
  if (!root || jsonPath[jsonPath.length - 2] !== 'args') return false;
  const index = Number(jsonPath[jsonPath.length - 1]);
  if (!Number.isInteger(index) || index < 1) return false;
  const flag = stringValue(nodeAt(root, [...jsonPath.slice(0, -1), String(index - 1)]));
  return flag !== undefined && /^-[a-z]*c[a-z]*$/.test(flag);
}

interface ServerState {
  /** The first reference that runs Python: the one the server's PYTHONPATH follows. */
  runs?: ScanReference;
  /** env keys to remove, with the reference each one is. */
  envRemovals: Array<{ key: string; reference: ScanReference }>;
}

/**
 * `detect` reads the whole file again (the `sh -c` scripts' edits are proved on it);
 * `others` are the file's references that are not servers' (a VS Code settings file's).
 */
export function rewriteMcpServers(
  text: string,
  root: JsonNode | undefined,
  references: readonly ScanReference[],
  facts: Facts,
  detect: (text: string) => ScanReference[],
  others: readonly ScanReference[] = [],
): { edits: Edit[]; skipped: SkippedReference[] } {
  const edits: Edit[] = [];
  const skipped: SkippedReference[] = [];
  const servers = new Map<string, { path: string[]; state: ServerState }>();
  // A server named twice is two servers: the one holding the reference.
  const stateOf = (path: string[], reference: ScanReference) => {
    const key = `${JSON.stringify(path)}@${nodeOfReference(root, path, reference)?.offset}`;
    let entry = servers.get(key);
    if (!entry) {
      entry = { path, state: { envRemovals: [] } };
      servers.set(key, entry);
    }
    return entry.state;
  };
  const skip = (reference: ScanReference, reason: string) => skipped.push({ reference, reason });
  const shell: ScanReference[] = [];
  const later: Array<{ reference: ScanReference; jsonPath: string[] }> = [];

  for (const reference of [...references].sort((a, b) => a.span.start - b.span.start)) {
    const jsonPath = jsonPathOf(reference);
    if (!jsonPath) {
      if (!reference.unified) skip(reference, skipReasonText(reference, facts));
      continue;
    }
    const state = stateOf(serverPathOf(jsonPath), reference);
    const runs = reference.kind === 'interpreter-path' || reference.kind === 'python-command';
    if (runs) state.runs ??= reference;
    if (isShellScript(root, jsonPath)) {
      shell.push(reference);
      continue;
    }
    if (!runs) {
      later.push({ reference, jsonPath });
      continue;
    }
    if (reference.unified) continue;
    const result = rewriteCommand(text, root, reference, jsonPath, facts);
    if ('reason' in result) {
      skip(reference, result.reason);
      continue;
    }
    edits.push(...result.edits);
  }

  if (shell.length > 0) {
    const result = rewriteJsonShell(
      text,
      root,
      shell.map((reference) => ({ reference, kind: reference.kind })),
      (reference) => {
        const rootVariable = meta(reference, 'rootVariable');
        const cwd = meta(reference, 'cwd');
        const scope: { cwd?: string; root?: string } = {};
        if (typeof cwd === 'string') scope.cwd = cwd;
        if (typeof rootVariable === 'string') scope.root = rootVariable;
        return scope;
      },
      facts,
      detect,
      [...others, ...references.filter((reference) => !shell.includes(reference))],
    );
    edits.push(...result.edits);
    skipped.push(...result.skipped);
  }
  const stays = new Set(skipped.map((entry) => entry.reference));

  for (const { reference, jsonPath } of later) {
    const state = stateOf(serverPathOf(jsonPath), reference);
    if (reference.unified) continue;
    if (reference.skipReason !== undefined) {
      skip(reference, skipReasonText(reference, facts));
      continue;
    }
    const key = jsonPath[jsonPath.length - 1]!;
    const inEnv = jsonPath[jsonPath.length - 2] === 'env';
    if (reference.kind === 'pythonpath') {
      if (uncoveredPaths(reference, facts).length === 0) {
        if (inEnv) {
          state.envRemovals.push({ key, reference });
          continue;
        }
        // `env PYTHONPATH=… python3 …`: the argument goes.
        const path = editableNodeOf(root, jsonPath, reference.span) && jsonPathIn(root, jsonPath);
        const edit = path && removeJsonMember(text, path, pythonpathReason(facts));
        if (edit) {
          edits.push(edit);
          continue;
        }
      }
      // The paths reach whichever interpreter the server runs.
      if (state.runs && !stays.has(state.runs)) continue;
      skip(
        reference,
        state.runs
          ? "follows the server's interpreter, which stays: move that first"
          : 'the server runs no Python onevenv can see: left as it is',
      );
      continue;
    }
    if (reference.kind === 'venv-variable' && inEnv) {
      const value = spell(reference, facts.unifiedVenv);
      const edit = replaceJsonString(
        text,
        nodeOfReference(root, jsonPath, reference),
        value,
        `${key} → ${facts.unifiedVenv}`,
      );
      if (edit) {
        edits.push(edit);
        continue;
      }
    }
    skip(reference, skipReasonText({ ...reference, skipReason: 'unsupported' }, facts));
  }

  for (const { path, state } of servers.values()) {
    if (state.envRemovals.length === 0) continue;
    const envPath = jsonPathIn(root, [...path, 'env']);
    const env = editableNodeOf(root, [...path, 'env'], state.envRemovals[0]!.reference.span);
    let edit: Edit | undefined;
    if (envPath && env) {
      edit =
        env.children?.length === state.envRemovals.length
          ? removeJsonMember(text, envPath, pythonpathReason(facts))
          : removeJsonMembers(
              text,
              state.envRemovals.map(({ key }) => [...envPath, key]),
              pythonpathReason(facts),
            );
    }
    if (edit) {
      edits.push(edit);
      continue;
    }
    for (const { reference } of state.envRemovals) {
      skip(
        reference,
        `PYTHONPATH can go: ${facts.unifiedVenv} puts its paths on sys.path; remove it by hand`,
      );
    }
  }

  return { edits, skipped };
}

function pythonpathReason(facts: Facts): string {
  return `PYTHONPATH removed: ${facts.unifiedVenv} puts its paths on sys.path`;
}

type CommandRewrite = { edits: Edit[] } | { reason: string };

/** `command` (or an interpreter argument of `env …`) onto the unified venv. */
function rewriteCommand(
  text: string,
  root: JsonNode | undefined,
  reference: ScanReference,
  jsonPath: string[],
  facts: Facts,
): CommandRewrite {
  const runner = meta(reference, 'runner');
  if (reference.skipReason !== undefined) {
    if (runner === 'uvx' || runner === 'pipx') {
      const tool = meta(reference, 'tool');
      return {
        reason: `runs through ${runner} in a tool environment of its own: point it at ${facts.unifiedVenv}/bin/${typeof tool === 'string' ? tool : '<tool>'} by hand`,
      };
    }
    return { reason: skipReasonText(reference, facts) };
  }
  const node = nodeOfReference(root, jsonPath, reference);
  if (typeof runner === 'string')
    return rewriteRunner(text, root, reference, jsonPath, runner, facts);
  const entryPoint = meta(reference, 'entryPoint');
  const target =
    typeof entryPoint === 'string' && reference.kind === 'python-command'
      ? `${facts.unifiedVenv}/bin/${entryPoint}`
      : facts.interpreter;
  const edit = replaceJsonString(
    text,
    node,
    spell(reference, target),
    target === facts.interpreter
      ? `interpreter → ${facts.interpreter}`
      : `${String(entryPoint)} → ${target}`,
  );
  return edit ? { edits: [edit] } : { reason: skipReasonText(reference, facts) };
}

/** `uv run [options] python server.py` → the interpreter, `server.py` and what follows kept. */
function rewriteRunner(
  text: string,
  root: JsonNode | undefined,
  reference: ScanReference,
  jsonPath: string[],
  runner: string,
  facts: Facts,
): CommandRewrite {
  const manual = `runs through ${runner} run: point the server at ${facts.interpreter} by hand`;
  if (!RUNNERS.has(runner) || !root) return { reason: manual };
  const options = meta(reference, 'runnerOptions');
  const recorded = Array.isArray(options) ? [...options] : [];
  if (recorded.some((option) => /^--(?:with|directory|isolated|script)/.test(option))) {
    return {
      reason: `runs through ${runner} run with options the venv cannot stand in for (${recorded.join(' ')}): point the server at ${facts.interpreter} by hand`,
    };
  }
  const serverPath = jsonPathIn(root, jsonPath.slice(0, -1));
  if (!serverPath) return { reason: manual };
  const argsNode = nodeAt(root, [...jsonPath.slice(0, -1), 'args']);
  const args = elements(argsNode).map((node) => stringValue(node) ?? '');
  // Walk the runner's own arguments as detect recorded them (`--opt=value` for two words).
  let i = 0;
  let ran = false;
  while (i < args.length) {
    const arg = args[i]!;
    if (!ran && arg === 'run') {
      ran = true;
      i++;
      continue;
    }
    if (ran && arg === '--') {
      i++;
      break;
    }
    if (recorded[0] === arg) {
      recorded.shift();
      i++;
      continue;
    }
    if (i + 1 < args.length && recorded[0] === `${arg}=${args[i + 1]}`) {
      recorded.shift();
      i += 2;
      continue;
    }
    break;
  }
  const inner = args[i];
  if (!ran || inner === undefined) return { reason: manual };
  const name = basename(inner.replace(/\\/g, '/'));
  let command = facts.interpreter;
  let drop = i + 1;
  if (/\.py$/i.test(inner)) drop = i;
  else if (!isPythonName(name)) command = `${facts.unifiedVenv}/bin/${name}`;
  const reason = `${runner} run → ${command}`;
  const head = replaceJsonString(
    text,
    nodeOfReference(root, jsonPath, reference),
    spell(reference, command),
    reason,
  );
  if (!head) return { reason: manual };
  const edits: Edit[] = [head];
  if (drop > 0) {
    const removal =
      drop === args.length
        ? removeJsonMember(text, [...serverPath, 'args'], reason)
        : removeJsonMembers(
            text,
            Array.from({ length: drop }, (_, k) => [...serverPath, 'args', drop - 1 - k]),
            reason,
          );
    if (!removal) return { reason: manual };
    edits.push(removal);
  }
  return { edits };
}

function rewriteMcpConfig(
  content: string,
  references: ScanReference[],
  context: Facts,
): RewriteResult {
  const root = parseJsonc(content);
  const detect = (text: string) =>
    classifyReferences(
      detectMcpReferences(text, context.file, { unifiedVenv: context.unifiedVenv })?.references ??
        [],
      context.unifiedVenv,
    );
  const { edits, skipped } = rewriteMcpServers(content, root, references, context, detect);
  return { edits, skipped, notes: [] };
}

export const rewriter: Rewriter = {
  rewrite: (content, references, context) => rewriteMcpConfig(content, references, context),
};
