// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code spells its variables ${name}.
import type {
  AdoptFacts,
  Edit,
  RewriteContext,
  RewriteResult,
  Rewriter,
  SkippedReference,
} from '../../core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../core/scan/model.js';
import { rewriteMcpServers } from '../mcp-json/rewrite.js';
import { type JsonNode, parseJsonc } from '../shared/jsonc.js';
import {
  editableNodeOf,
  insertJsonMembersAfter,
  insertJsonProperty,
  type JsonInsert,
  jsonPathIn,
  nodeAt,
  nodeOfReference,
  removeJsonMember,
  removeJsonMembers,
  replaceJsonString,
} from '../shared/rewrite-json.js';
import { rewriteJsonShell } from '../shared/rewrite-json-shell.js';
import { type Follower, settleFollowers } from '../shared/rewrite-settle.js';
import { skipReasonText, uncoveredPaths } from '../shell/installs.js';
import { detectVscodeReferences, vscodeFileKind } from './detect.js';

/**
 * VS Code onto the unified venv: the interpreter settings and launch `python` become
 * `${workspaceFolder}/python/.venv/bin/python3`; task command lines go through the shared
 * shell rewriter (interpreters, activation, venv creation → `python/setup.sh`); PYTHONPATH
 * entries the venv provides leave `env`; MCP servers in settings move as in `.mcp.json`.
 * A settings file that exists gets `python.defaultInterpreterPath` when it lacks it and
 * something beside it moves; a missing settings file is not created.
 */

type Facts = Omit<AdoptFacts, 'root'>;

const ROOT = '${workspaceFolder}';
const INTERPRETER_SETTINGS = new Set(['python.defaultInterpreterPath', 'python.pythonPath']);

function jsonPathOf(reference: ScanReference): string[] {
  const path = reference.meta?.jsonPath;
  return Array.isArray(path) ? path : [];
}

function metaString(reference: ScanReference, key: string): string | undefined {
  const value = reference.meta?.[key];
  return typeof value === 'string' ? value : undefined;
}

function detectAgain(text: string, file: string, unifiedVenv: string): ScanReference[] {
  return classifyReferences(
    detectVscodeReferences(text, file, { unifiedVenv })?.references ?? [],
    unifiedVenv,
  );
}

/**
 * Splices for a JSONC file with VS Code settings, launch or env objects, collected as the
 * references are read (the devcontainer rewriter uses it for its `settings` and env too).
 */
export class SettingsRewrite {
  readonly edits: Edit[] = [];
  readonly skipped: SkippedReference[] = [];
  readonly followers: Follower[] = [];
  readonly notes: string[] = [];
  /** env objects (JSON paths) and the keys to remove from them. */
  private readonly envRemovals = new Map<
    string,
    { path: string[]; keys: string[]; references: ScanReference[] }
  >();
  /** Launch configurations that need a `python` key. */
  private readonly launchPython = new Map<string, string[]>();
  /** Something in the file moves onto the unified venv. */
  moving = false;

  constructor(
    readonly text: string,
    readonly root: JsonNode | undefined,
    readonly facts: Facts,
    /** How the file spells the repository root. */
    readonly rootVariable = ROOT,
  ) {}

  get interpreter(): string {
    return `${this.rootVariable}/${this.facts.interpreter}`;
  }

  skip(reference: ScanReference, reason: string): void {
    this.skipped.push({ reference, reason });
  }

  replace(reference: ScanReference, value: string, reason: string): void {
    // The node the reference came from only: a key written twice leads its path elsewhere.
    const edit = replaceJsonString(
      this.text,
      nodeOfReference(this.root, jsonPathOf(reference), reference),
      value,
      reason,
    );
    if (!edit) {
      this.skip(reference, skipReasonText({ ...reference, skipReason: 'unsupported' }, this.facts));
      return;
    }
    this.edits.push(edit);
    this.moving = true;
  }

  /** An interpreter setting or a launch `python`. */
  interpreterValue(reference: ScanReference): void {
    if (reference.skipReason !== undefined) {
      this.skip(reference, skipReasonText(reference, this.facts));
      return;
    }
    this.replace(reference, this.interpreter, `interpreter → ${this.facts.interpreter}`);
  }

  /** PYTHONPATH / VIRTUAL_ENV in an env object; `follows` says what the paths reach. */
  envEntry(reference: ScanReference, follows: string): void {
    const jsonPath = jsonPathOf(reference);
    if (reference.skipReason !== undefined) {
      this.skip(reference, skipReasonText(reference, this.facts));
      return;
    }
    if (reference.kind === 'venv-variable') {
      this.replace(
        reference,
        `${this.rootVariable}/${this.facts.unifiedVenv}`,
        `VIRTUAL_ENV → ${this.facts.unifiedVenv}`,
      );
      return;
    }
    const missing = uncoveredPaths(reference, this.facts);
    if (missing.length === 0) {
      const envPath = jsonPath.slice(0, -1);
      const key = JSON.stringify(envPath);
      const entry = this.envRemovals.get(key) ?? { path: envPath, keys: [], references: [] };
      entry.keys.push(jsonPath[jsonPath.length - 1]!);
      entry.references.push(reference);
      this.envRemovals.set(key, entry);
      this.moving = true;
      return;
    }
    this.moving = true;
    this.followers.push({
      reference,
      reason: `PYTHONPATH names ${missing.join(', ')}, not in [tool.onevenv] paths, and ${follows} stays off ${this.facts.unifiedVenv}: add ${missing.length === 1 ? 'it' : 'them'} to paths`,
    });
  }

  /** A launch configuration without `python` runs the editor's interpreter: name the venv's. */
  needsLaunchPython(reference: ScanReference): void {
    const configPath = jsonPathOf(reference).slice(0, -2);
    this.launchPython.set(JSON.stringify(configPath), configPath);
    // The key is not added to a file that does not parse: then the paths stay where they were.
    this.followers.push({
      reference,
      reason: `the configuration runs the editor's interpreter: add "python": "${this.interpreter}" to it by hand`,
    });
  }

  finish(): void {
    for (const { path, keys, references } of this.envRemovals.values()) {
      const reason = `PYTHONPATH removed: ${this.facts.unifiedVenv} puts its paths on sys.path`;
      // Path edits reach the first of a key written twice: only when that holds the entries.
      const env = editableNodeOf(this.root, path, references[0]!.span);
      const resolved = jsonPathIn(this.root, path);
      let edit: Edit | undefined;
      if (env && resolved && env.children?.length === keys.length) {
        // An `options` object holding only this env goes with it.
        const parent =
          path[path.length - 2] === 'options' ? nodeAt(this.root, path.slice(0, -1)) : undefined;
        const target = parent?.children?.length === 1 ? resolved.slice(0, -1) : resolved;
        edit = removeJsonMember(this.text, target, reason);
      } else if (env && resolved) {
        edit = removeJsonMembers(
          this.text,
          keys.map((key) => [...resolved, key]),
          reason,
        );
      }
      if (edit) {
        this.edits.push(edit);
        continue;
      }
      for (const reference of references) {
        this.skip(
          reference,
          `PYTHONPATH can go: ${this.facts.unifiedVenv} puts its paths on sys.path; remove it by hand`,
        );
      }
    }
    for (const path of this.launchPython.values()) {
      const config = nodeAt(this.root, path);
      const resolved = jsonPathIn(this.root, path);
      if (config?.type !== 'object' || !resolved) continue;
      this.edits.push(
        ...insertJsonProperty(
          this.text,
          this.root,
          resolved,
          'python',
          this.interpreter,
          `debugger interpreter → ${this.facts.interpreter}`,
        ),
      );
    }
  }
}

/** `python.defaultInterpreterPath` for a settings object that lacks it. */
export function interpreterSettingInsert(
  run: SettingsRewrite,
  settingsPath: string[],
): JsonInsert | undefined {
  const settings = nodeAt(run.root, settingsPath);
  if (settings && settings.type !== 'object') return undefined;
  const has = settings?.children?.some(
    (member) => member.children?.[0]?.value === 'python.defaultInterpreterPath',
  );
  if (has) return undefined;
  return {
    objectPath: settingsPath,
    key: 'python.defaultInterpreterPath',
    value: run.interpreter,
    reason: `python.defaultInterpreterPath → ${run.facts.interpreter}`,
  };
}

/** Does a tasks or launch file beside this settings file move? */
function siblingsMove(file: string, facts: Facts): boolean {
  const dir = file.slice(0, file.length - 'settings.json'.length);
  return facts.references.some(
    (reference) =>
      reference.adapter === 'vscode' &&
      !reference.unified &&
      reference.skipReason === undefined &&
      (reference.file === `${dir}tasks.json` || reference.file === `${dir}launch.json`),
  );
}

function rewriteVscodeFile(
  content: string,
  references: ScanReference[],
  context: RewriteContext,
): RewriteResult {
  const kind = vscodeFileKind(context.file);
  const root = parseJsonc(content);
  const run = new SettingsRewrite(content, root, context);
  if (!kind || root?.type !== 'object') {
    for (const reference of references) {
      if (!reference.unified)
        run.skip(reference, skipReasonText({ ...reference, skipReason: 'parse-error' }, context));
    }
    return { edits: [], skipped: run.skipped, notes: [] };
  }
  const servers: ScanReference[] = [];
  const tasks: ScanReference[] = [];
  const settingsRefs: ScanReference[] = [];
  for (const reference of references) {
    if (reference.meta?.server !== undefined) servers.push(reference);
    else if (reference.meta?.task !== undefined) tasks.push(reference);
    else if (reference.meta?.setting !== undefined) settingsRefs.push(reference);
    else if (reference.meta?.launch !== undefined) launch(run, reference);
  }
  for (const reference of settingsRefs) {
    const setting = metaString(reference, 'setting')!;
    if (INTERPRETER_SETTINGS.has(setting)) {
      if (!reference.unified) run.interpreterValue(reference);
      continue;
    }
    if (reference.unified) continue;
    if (setting === 'python.venvPath') {
      run.skip(
        reference,
        `python.venvPath is a folder the Python extension searches for venvs, not a venv: remove it once python.defaultInterpreterPath names ${context.unifiedVenv}`,
      );
      continue;
    }
    run.envEntry(reference, 'the interpreter setting');
  }
  rewriteTasks(run, tasks, context, references);
  if (servers.length > 0) {
    const result = rewriteMcpServers(
      content,
      root,
      servers,
      context,
      (text) => detectAgain(text, context.file, context.unifiedVenv),
      references.filter((reference) => !servers.includes(reference)),
    );
    run.edits.push(...result.edits);
    run.skipped.push(...result.skipped);
    if (result.edits.length > 0) run.moving = true;
  }
  run.finish();

  const settingsPath = kind === 'workspace' ? ['settings'] : kind === 'settings' ? [] : undefined;
  const moves = run.moving || (kind === 'settings' && siblingsMove(context.file, context));
  const insert =
    settingsPath && context.exists && moves && interpreterSettingInsert(run, settingsPath);
  if (insert) run.edits.unshift(...insertJsonMembersAfter(content, run.edits, [insert]));

  const followers = settleFollowers(content, run.edits, run.followers, (text) =>
    detectAgain(text, context.file, context.unifiedVenv),
  );
  return { edits: run.edits, skipped: [...run.skipped, ...followers], notes: run.notes };
}

function launch(run: SettingsRewrite, reference: ScanReference): void {
  if (reference.unified) return;
  const jsonPath = jsonPathOf(reference);
  const key = jsonPath[jsonPath.length - 1];
  if (reference.kind === 'interpreter-path' && (key === 'python' || key === 'pythonPath')) {
    run.interpreterValue(reference);
    return;
  }
  const configPath = jsonPath.slice(0, -2);
  const config = nodeAt(run.root, configPath);
  const hasPython = config?.children?.some((member) => {
    const name = member.children?.[0]?.value;
    return name === 'python' || name === 'pythonPath';
  });
  if (
    reference.kind === 'pythonpath' &&
    !hasPython &&
    reference.skipReason === undefined &&
    uncoveredPaths(reference, run.facts).length > 0
  ) {
    run.needsLaunchPython(reference);
    run.moving = true;
    return;
  }
  run.envEntry(reference, "the configuration's python");
}

function rewriteTasks(
  run: SettingsRewrite,
  tasks: ScanReference[],
  context: RewriteContext,
  all: readonly ScanReference[],
): void {
  const shell: ScanReference[] = [];
  for (const reference of tasks) {
    const jsonPath = jsonPathOf(reference);
    if (jsonPath[jsonPath.length - 2] === 'env') {
      if (reference.unified) continue;
      run.envEntry(
        reference,
        reference.meta?.task === '*'
          ? "python3 on PATH (the file's tasks)"
          : "the task's interpreter",
      );
      continue;
    }
    if (reference.meta?.follows !== undefined) {
      run.skip(
        reference,
        `runs the interpreter python.defaultInterpreterPath names, which adopt points at ${context.unifiedVenv}`,
      );
      continue;
    }
    shell.push(reference);
  }
  if (shell.length === 0) return;
  const result = rewriteJsonShell(
    run.text,
    run.root,
    shell.map((reference) => ({ reference, kind: reference.kind })),
    (reference) => {
      const cwd = metaString(reference, 'cwd');
      return cwd === undefined ? { root: ROOT } : { cwd, root: ROOT };
    },
    context,
    (text) => detectAgain(text, context.file, context.unifiedVenv),
    all.filter((reference) => !shell.includes(reference)),
  );
  run.edits.push(...result.edits);
  run.skipped.push(...result.skipped);
  if (result.edits.length > 0) run.moving = true;
}

export const rewriter: Rewriter = {
  /** The settings file beside tasks or launch files that move (added to only when it exists). */
  extraFiles(facts) {
    const files = new Set<string>();
    for (const reference of facts.references) {
      if (reference.adapter !== 'vscode' || reference.unified) continue;
      if (!/(?:^|\/)\.vscode\/(?:tasks|launch)\.json$/.test(reference.file)) continue;
      files.add(reference.file.replace(/(?:tasks|launch)\.json$/, 'settings.json'));
    }
    return [...files].sort();
  },
  rewrite: rewriteVscodeFile,
};
