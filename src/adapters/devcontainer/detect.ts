// biome-ignore-all lint/suspicious/noTemplateCurlyInString: devcontainer.json spells its variables ${name}.
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
  environmentOfDirectory,
  isVenvLikeName,
  type RepoPathOptions,
  resolveRepoPath,
  splitOutsideBraces,
  workspaceOf,
} from '../shared/paths.js';
import { rootVariables } from '../shared/shell.js';
import { ReferenceSink } from '../shared/sink.js';
import {
  type DetectContext,
  type DetectResult,
  ENV_PATH_PYTHON,
  type SkipReason,
} from '../types.js';
import { detectEnvObject, detectPythonSettings } from '../vscode/settings.js';

type Meta = Record<string, string | number | boolean | string[]>;

/** Lifecycle commands, in the order the container runs them (initializeCommand on the host). */
export const LIFECYCLE_COMMANDS = [
  'initializeCommand',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
];

/** Variables that name the workspace, in the container or on the host. */
const ROOT_VARIABLES = ['containerWorkspaceFolder', 'localWorkspaceFolder', 'workspaceFolder'];

/** The default mount point of the workspace: /workspaces/<folder name>. */
const DEFAULT_MOUNT = /^\/workspaces\/[^/]+/;

export function isDevcontainerFile(file: string): boolean {
  return (
    /(?:^|\/)\.devcontainer\.json$/.test(file) ||
    /(?:^|\/)\.devcontainer\/(?:[^/]+\/)?devcontainer\.json$/.test(file)
  );
}

interface Scope {
  sink: ReferenceSink;
  paths: RepoPathOptions;
}

/** A shell finding on an in-container absolute path of the workspace is a repo path. */
function inWorkspace(
  environment: string,
  skipReason: SkipReason | undefined,
  paths: RepoPathOptions,
): { environment: string; skipReason?: SkipReason } {
  if (skipReason !== 'external-interpreter' || !environment.startsWith('/')) {
    return skipReason === undefined ? { environment } : { environment, skipReason };
  }
  const resolved = resolveRepoPath(environment, paths);
  if (!resolved.inRepo) return { environment, skipReason };
  return environmentOfDirectory(resolved.path, true);
}

function commandParts(node: JsonNode, path: string[]): JsonShellPart[] {
  // A string runs in /bin/sh; an array is an argv run without a shell.
  if (node.type === 'string') return [{ node, path, as: 'shell' }];
  return elements(node).flatMap((element, index) =>
    element.type === 'string'
      ? [{ node: element, path: [...path, String(index)], as: 'argv' as const }]
      : [],
  );
}

function detectLifecycle(
  root: JsonNode,
  key: string,
  scope: Scope,
  variables: Record<string, string>,
): void {
  const node = property(root, key);
  if (!node) return;
  const steps: Array<{ step?: string; node: JsonNode; path: string[] }> =
    node.type === 'object'
      ? entries(node).map(([step, value]) => ({ step, node: value, path: [key, step] }))
      : [{ node, path: [key] }];
  for (const step of steps) {
    const parts = commandParts(step.node, step.path);
    if (parts.length === 0) continue;
    const { hits } = scanJsonShell(scope.sink.text, parts, { cwd: scope.paths.cwd, variables });
    for (const hit of hits) {
      const meta: Meta = { command: key, ...(hit.meta ?? {}), jsonPath: hit.path };
      if (step.step !== undefined) meta.step = step.step;
      if (key === 'initializeCommand') meta.host = true;
      const env = inWorkspace(hit.environment, hit.skipReason, scope.paths);
      scope.sink.add(hit.span.start, hit.span.end, {
        kind: hit.kind,
        consumer: `devcontainer ${key}`,
        environment: env.environment,
        skipReason: env.skipReason,
        meta,
      });
    }
  }
}

/** `PATH` with a venv's bin dir first: every process in the container runs that venv. */
function detectPathActivation(env: JsonNode | undefined, key: string, scope: Scope): void {
  const node = property(env, 'PATH');
  const value = stringValue(node);
  if (!node || value === undefined) return;
  const first = splitOutsideBraces(value, ':')[0]?.trim() ?? '';
  const bin = /^(.*)[/\\](?:bin|Scripts)$/.exec(first);
  if (!bin) return;
  const resolved = resolveRepoPath(bin[1]!, scope.paths);
  const name = resolved.path.split('/').pop() ?? '';
  if (resolved.unresolved || !isVenvLikeName(name)) return;
  const environment = environmentOfDirectory(resolved.path, resolved.inRepo);
  scope.sink.addString(node, {
    kind: 'venv-activate',
    consumer: `devcontainer ${key}`,
    environment: environment.environment,
    skipReason: environment.skipReason,
    meta: { via: 'PATH', jsonPath: [key, 'PATH'] },
  });
}

export function detectDevcontainerReferences(
  content: string,
  file: string,
  _context: DetectContext,
): DetectResult | null {
  const root = parseJsonc(content);
  if (root?.type !== 'object') return null;
  const sink = new ReferenceSink(content, file, 'devcontainer');
  const workspaceFolder = stringValue(property(root, 'workspaceFolder'));
  const paths: RepoPathOptions = {
    cwd: workspaceOf(file),
    rootVariables: ROOT_VARIABLES,
    rootPaths:
      workspaceFolder === undefined
        ? ['/workspaces/${localWorkspaceFolderBasename}']
        : [workspaceFolder],
    rootPathPatterns: workspaceFolder === undefined ? [DEFAULT_MOUNT] : [],
  };
  const scope: Scope = { sink, paths };

  const settingsScopes: Array<{ node: JsonNode | undefined; path: string[] }> = [
    {
      node: property(property(property(root, 'customizations'), 'vscode'), 'settings'),
      path: ['customizations', 'vscode', 'settings'],
    },
    // The format before `customizations` kept VS Code settings at the top level.
    { node: property(root, 'settings'), path: ['settings'] },
  ];
  let interpreter: string | undefined;
  for (const settings of settingsScopes) {
    interpreter ??= detectPythonSettings(settings.node, {
      sink,
      path: settings.path,
      paths,
      consumer: (key) => `devcontainer ${key}`,
    });
  }

  const variables = rootVariables(ROOT_VARIABLES);
  for (const key of ['containerEnv', 'remoteEnv']) {
    const env = property(root, key);
    for (const [name, value] of entries(env)) {
      const text = stringValue(value);
      if (text !== undefined && !text.includes('$')) variables[name] = text;
    }
    detectEnvObject(env, {
      sink,
      path: [key],
      paths,
      consumer: `devcontainer ${key}`,
      environment: interpreter ?? ENV_PATH_PYTHON,
      meta: { env: key },
    });
    detectPathActivation(env, key, scope);
  }

  for (const key of LIFECYCLE_COMMANDS) detectLifecycle(root, key, scope, variables);

  if (sink.references.length === 0) return null;
  sink.references.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { references: sink.references };
}
