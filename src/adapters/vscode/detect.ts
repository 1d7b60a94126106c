// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code spells its variables ${name}.
import { detectServers } from '../mcp-json/detect.js';
import { LineIndex } from '../reference.js';
import { type JsonShellPart, scanJsonShell } from '../shared/json-shell.js';
import {
  elements,
  entries,
  type JsonNode,
  parseJsonc,
  property,
  stringValue,
} from '../shared/jsonc.js';
import {
  basename,
  environmentOfInterpreterSetting,
  type RepoPathOptions,
  resolveRepoPath,
  workspaceOf,
} from '../shared/paths.js';
import { rootVariables } from '../shared/shell.js';
import { ReferenceSink } from '../shared/sink.js';
import { type DetectContext, type DetectResult, ENV_PATH_PYTHON, ENV_UNKNOWN } from '../types.js';
import { detectEnvObject, detectPythonSettings } from './settings.js';

type Meta = Record<string, string | number | boolean | string[]>;

/** VS Code's names for the folder it opened (`workspaceRoot` is the deprecated spelling). */
export const VSCODE_ROOT_VARIABLES = ['workspaceFolder', 'workspaceRoot'];

type FileKind = 'settings' | 'tasks' | 'launch' | 'workspace';

export function vscodeFileKind(file: string): FileKind | undefined {
  if (file.endsWith('.code-workspace')) return 'workspace';
  if (!file.endsWith('.json')) return undefined;
  const match = /(?:^|\/)\.vscode\/(settings|tasks|launch)\.json$/.exec(file);
  return match ? (match[1] as FileKind) : undefined;
}

interface Scope {
  sink: ReferenceSink;
  paths: RepoPathOptions;
}

function detectSettings(node: JsonNode | undefined, scope: Scope, path: string[]): void {
  detectPythonSettings(node, {
    sink: scope.sink,
    path,
    paths: scope.paths,
    consumer: (key) => `VS Code setting ${key}`,
  });
  // Settings can also hold MCP servers (`"mcp": {"servers": {…}}`).
  const servers = property(property(node, 'mcp'), 'servers');
  if (servers?.type === 'object') {
    const lines = new LineIndex(scope.sink.text);
    scope.sink.references.push(
      ...detectServers(
        scope.sink.text,
        lines,
        scope.sink.file,
        servers,
        [...path, 'mcp', 'servers'],
        'vscode',
      ),
    );
  }
}

/** Variables that stand for the workspace's Python interpreter. */
const SELECTED_INTERPRETER = [
  '${config:python.defaultInterpreterPath}',
  '${command:python.interpreterPath}',
];

/**
 * Does a command (or launch `python`) run the workspace's interpreter, the one
 * `python.defaultInterpreterPath` names? Then it is no reference of its own: it follows the
 * setting, which is reported (and which adopt points at the unified venv), as a launch
 * configuration without `python` does. Only the variable as the whole program counts:
 * `${config:python.defaultInterpreterPath}/../pip` is some other program.
 */
function followsWorkspaceInterpreter(value: string | undefined): boolean {
  if (value === undefined) return false;
  const trimmed = value.trimStart();
  return SELECTED_INTERPRETER.some(
    (token) =>
      trimmed.startsWith(token) &&
      (trimmed.length === token.length || /\s/.test(trimmed[token.length]!)),
  );
}

function commandParts(
  node: JsonNode | undefined,
  path: string[],
  as: JsonShellPart['as'],
): JsonShellPart[] {
  if (node?.type === 'string') return [{ node, path, as }];
  if (node?.type === 'array') {
    return elements(node).flatMap((element, index) =>
      element.type === 'string' ? [{ node: element, path: [...path, String(index)], as }] : [],
    );
  }
  // `{ "value": …, "quoting": … }`
  const value = property(node, 'value');
  return value ? commandParts(value, [...path, 'value'], as) : [];
}

interface TaskOptions {
  cwd?: JsonNode;
  cwdPath: string[];
  env?: JsonNode;
  envPath: string[];
}

function mergeOptions(
  base: TaskOptions,
  options: JsonNode | undefined,
  path: string[],
): TaskOptions {
  const merged = { ...base };
  const cwd = property(options, 'cwd');
  if (cwd?.type === 'string') {
    merged.cwd = cwd;
    merged.cwdPath = [...path, 'options', 'cwd'];
  }
  const env = property(options, 'env');
  if (env?.type === 'object') {
    merged.env = env;
    merged.envPath = [...path, 'options', 'env'];
  }
  return merged;
}

function detectTask(
  task: JsonNode,
  path: string[],
  label: string,
  inherited: TaskOptions,
  scope: Scope,
): void {
  const type = stringValue(property(task, 'type')) ?? 'process';
  const baseOptions = mergeOptions(inherited, property(task, 'options'), path);
  const variants: Array<{ node: JsonNode; path: string[]; platform?: string }> = [
    { node: task, path },
  ];
  for (const platform of ['linux', 'osx', 'windows']) {
    const node = property(task, platform);
    if (node?.type === 'object') variants.push({ node, path: [...path, platform], platform });
  }
  for (const variant of variants) {
    const options = variant.platform
      ? mergeOptions(baseOptions, property(variant.node, 'options'), variant.path)
      : baseOptions;
    const commandNode = property(variant.node, 'command');
    // A platform section without its own command changes only options; the main one reports.
    if (variant.platform && !commandNode) continue;
    const argsNode =
      property(variant.node, 'args') ?? (variant.platform ? property(task, 'args') : undefined);
    const variantType = stringValue(property(variant.node, 'type')) ?? type;
    const shell = variantType !== 'process';
    const parts = [
      ...commandParts(commandNode, [...variant.path, 'command'], shell ? 'shell' : 'argv'),
      ...elements(argsNode).flatMap((arg, index) =>
        commandParts(arg, [...variant.path, 'args', String(index)], shell ? 'argument' : 'argv'),
      ),
    ];
    const cwdValue = stringValue(options.cwd);
    const cwd = cwdValue === undefined ? scope.paths.cwd : resolveRepoPath(cwdValue, scope.paths);
    const cwdPath = typeof cwd === 'string' ? cwd : cwd.unresolved ? undefined : cwd.path;
    const consumer = `VS Code task ${label}`;
    const meta: Meta = { task: label, type: variantType };
    if (variant.platform) meta.platform = variant.platform;
    if (cwdPath !== undefined) meta.cwd = cwdPath;
    let environment: string | undefined;
    const first = parts[0];
    // A task running the workspace interpreter: its arguments are the script, nothing to report.
    const follows = first !== undefined && followsWorkspaceInterpreter(stringValue(first.node));
    if (parts.length > 0 && !follows) {
      const variables = rootVariables(VSCODE_ROOT_VARIABLES);
      for (const [key, value] of entries(options.env)) {
        const text = stringValue(value);
        if (text !== undefined && !text.includes('$')) variables[key] = text;
      }
      const { hits } = scanJsonShell(scope.sink.text, parts, {
        cwd: cwdPath ?? scope.paths.cwd,
        variables,
      });
      for (const hit of hits) {
        if (
          environment === undefined &&
          hit.skipReason === undefined &&
          (hit.kind === 'python-command' ||
            hit.kind === 'interpreter-path' ||
            hit.kind === 'venv-activate' ||
            hit.kind === 'pip-install')
        ) {
          environment = hit.environment;
        }
        scope.sink.add(hit.span.start, hit.span.end, {
          kind: hit.kind,
          consumer,
          environment: hit.environment,
          skipReason: hit.skipReason,
          meta: { ...meta, ...(hit.meta ?? {}), jsonPath: hit.path },
        });
      }
    }
    // The file's global env is reported once, by detectTasks.
    if (variant.platform || options.env === inherited.env) continue;
    detectEnvObject(options.env, {
      sink: scope.sink,
      path: options.envPath,
      paths: { ...scope.paths, cwd: cwdPath ?? scope.paths.cwd },
      consumer,
      // A task running the workspace interpreter runs the one selected in the editor.
      environment: environment ?? (follows ? ENV_UNKNOWN : ENV_PATH_PYTHON),
      meta,
    });
  }
}

function detectTasks(node: JsonNode | undefined, scope: Scope, path: string[]): void {
  const global = mergeOptions({ cwdPath: [], envPath: [] }, property(node, 'options'), path);
  const globalCwd = stringValue(global.cwd);
  const resolvedCwd = globalCwd === undefined ? undefined : resolveRepoPath(globalCwd, scope.paths);
  detectEnvObject(global.env, {
    sink: scope.sink,
    path: global.envPath,
    paths: {
      ...scope.paths,
      cwd: resolvedCwd && !resolvedCwd.unresolved ? resolvedCwd.path : scope.paths.cwd,
    },
    consumer: 'VS Code tasks',
    environment: ENV_PATH_PYTHON,
    meta: { task: '*' },
  });
  elements(property(node, 'tasks')).forEach((task, index) => {
    if (task.type !== 'object') return;
    const label =
      stringValue(property(task, 'label')) ??
      stringValue(property(task, 'taskName')) ??
      `#${index + 1}`;
    detectTask(task, [...path, 'tasks', String(index)], label, global, scope);
  });
}

function detectLaunch(node: JsonNode | undefined, scope: Scope, path: string[]): void {
  elements(property(node, 'configurations')).forEach((config, index) => {
    if (config.type !== 'object') return;
    const configPath = [...path, 'configurations', String(index)];
    const name = stringValue(property(config, 'name')) ?? `#${index + 1}`;
    const consumer = `VS Code launch ${name}`;
    const meta: Meta = { launch: name };
    const type = stringValue(property(config, 'type'));
    if (type !== undefined) meta.type = type;
    const cwdValue = stringValue(property(config, 'cwd'));
    const cwd = cwdValue === undefined ? undefined : resolveRepoPath(cwdValue, scope.paths);
    if (cwd && !cwd.unresolved) meta.cwd = cwd.path;
    const program = stringValue(property(config, 'program'));
    if (program !== undefined) {
      meta.program = resolveRepoPath(program, {
        ...scope.paths,
        cwd: cwd && !cwd.unresolved ? cwd.path : scope.paths.cwd,
      }).path;
    }
    const module = stringValue(property(config, 'module'));
    if (module !== undefined) meta.module = module;
    let environment: string | undefined;
    for (const key of ['python', 'pythonPath']) {
      const valueNode = property(config, key);
      const value = stringValue(valueNode);
      if (!valueNode || value === undefined || value.trim() === '') continue;
      if (followsWorkspaceInterpreter(value)) continue;
      const env = environmentOfInterpreterSetting(value, scope.paths);
      if (env.skipReason === undefined) environment ??= env.environment;
      scope.sink.addString(valueNode, {
        kind: 'interpreter-path',
        consumer,
        environment: env.environment,
        skipReason: env.skipReason,
        meta: { ...meta, jsonPath: [...configPath, key], resolved: env.resolved },
      });
    }
    detectEnvObject(property(config, 'env'), {
      sink: scope.sink,
      path: [...configPath, 'env'],
      paths: scope.paths,
      consumer,
      // Without `python`, the debugger runs the interpreter selected in the editor.
      environment: environment ?? ENV_UNKNOWN,
      meta,
    });
  });
}

export function detectVscodeReferences(
  content: string,
  file: string,
  _context: DetectContext,
): DetectResult | null {
  const kind = vscodeFileKind(file);
  if (!kind) return null;
  const root = parseJsonc(content);
  if (root?.type !== 'object') return null;
  const sink = new ReferenceSink(content, file, 'vscode');
  const scope: Scope = {
    sink,
    paths: {
      cwd: workspaceOf(file),
      rootVariables: VSCODE_ROOT_VARIABLES,
    },
  };
  if (kind === 'settings') detectSettings(root, scope, []);
  if (kind === 'tasks') detectTasks(root, scope, []);
  if (kind === 'launch') detectLaunch(root, scope, []);
  if (kind === 'workspace') {
    detectSettings(property(root, 'settings'), scope, ['settings']);
    detectTasks(property(root, 'tasks'), scope, ['tasks']);
    detectLaunch(property(root, 'launch'), scope, ['launch']);
  }
  if (sink.references.length === 0) return null;
  sink.references.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { references: sink.references };
}

export function isVscodeFile(file: string): boolean {
  return vscodeFileKind(file) !== undefined && basename(file) !== '';
}
