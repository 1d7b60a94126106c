import { decodeString, entries, type JsonNode, stringValue } from '../shared/jsonc.js';
import {
  environmentOfDirectory,
  environmentOfInterpreterSetting,
  pythonPathEntries,
  type RepoPathOptions,
  resolveRepoPath,
} from '../shared/paths.js';
import type { ReferenceSink } from '../shared/sink.js';
import { ENV_PATH_PYTHON, ENV_UNKNOWN, type SkipReason } from '../types.js';

/**
 * The Python settings of a VS Code settings object: `.vscode/settings.json`, a
 * `.code-workspace`'s `settings`, a devcontainer's `customizations.vscode.settings`.
 */

type Meta = Record<string, string | number | boolean | string[]>;

export interface SettingsScope {
  sink: ReferenceSink;
  /** JSON path of the settings object. */
  path: string[];
  paths: RepoPathOptions;
  consumer: (key: string) => string;
}

/** Keys that hold the interpreter itself. */
const INTERPRETER_KEYS = new Set(['python.defaultInterpreterPath', 'python.pythonPath']);
const TERMINAL_ENV = /^terminal\.integrated\.env\.(?:linux|osx|windows)$/;

/** Reports the Python settings in `settings`; returns the interpreter's environment, if set. */
export function detectPythonSettings(
  settings: JsonNode | undefined,
  scope: SettingsScope,
): string | undefined {
  const pairs = entries(settings);
  // The current extension reads defaultInterpreterPath; pythonPath only matters without it.
  let interpreter: string | undefined;
  for (const key of INTERPRETER_KEYS) {
    const value = stringValue(pairs.findLast(([name]) => name === key)?.[1]);
    if (interpreter !== undefined || value === undefined || value.trim() === '') continue;
    const env = environmentOfInterpreterSetting(value, scope.paths);
    if (env.skipReason === undefined) interpreter = env.environment;
  }
  for (const [key, node] of pairs) {
    const value = stringValue(node);
    if (INTERPRETER_KEYS.has(key) && value !== undefined && value.trim() !== '') {
      const env = environmentOfInterpreterSetting(value, scope.paths);
      const meta: Meta = { setting: key, jsonPath: [...scope.path, key], resolved: env.resolved };
      if (key === 'python.pythonPath') meta.deprecated = true;
      scope.sink.addString(node, {
        kind: 'interpreter-path',
        consumer: scope.consumer(key),
        environment: env.environment,
        skipReason: env.skipReason,
        meta,
      });
      continue;
    }
    if (key === 'python.venvPath' && value !== undefined && value.trim() !== '') {
      // A folder the extension searches for venvs, not a venv: reported, never moved.
      const resolved = resolveRepoPath(value, scope.paths);
      scope.sink.addString(node, {
        kind: 'venv-variable',
        consumer: scope.consumer(key),
        environment: ENV_UNKNOWN,
        skipReason: resolved.unresolved ? 'contains-variable' : 'unsupported',
        meta: { setting: key, jsonPath: [...scope.path, key], venvContainer: resolved.path },
      });
      continue;
    }
    if (TERMINAL_ENV.test(key)) {
      detectEnvObject(node, {
        sink: scope.sink,
        path: [...scope.path, key],
        paths: scope.paths,
        consumer: scope.consumer(key),
        // The extension activates the selected interpreter in new terminals.
        environment: interpreter ?? ENV_PATH_PYTHON,
        meta: { setting: key },
      });
    }
  }
  return interpreter;
}

export interface EnvScope {
  sink: ReferenceSink;
  /** JSON path of the env object. */
  path: string[];
  paths: RepoPathOptions;
  consumer: string;
  /** The environment whose interpreter these variables reach. */
  environment: string;
  meta: Meta;
}

/** PYTHONPATH (`pythonpath`) and VIRTUAL_ENV (`venv-variable`) in an env object. */
export function detectEnvObject(env: JsonNode | undefined, scope: EnvScope): void {
  for (const [key, node] of entries(env)) {
    const value = stringValue(node);
    if (value === undefined || decodeString(scope.sink.text, node) === undefined) continue;
    if (key === 'PYTHONPATH') {
      const paths = pythonPathEntries(value, scope.paths);
      const meta: Meta = { ...scope.meta, jsonPath: [...scope.path, key], paths: paths.paths };
      if (paths.appends) meta.appends = true;
      scope.sink.addString(node, {
        kind: 'pythonpath',
        consumer: scope.consumer,
        environment: paths.unresolved ? ENV_UNKNOWN : scope.environment,
        skipReason: paths.unresolved ? 'contains-variable' : undefined,
        meta,
      });
      continue;
    }
    if (key === 'VIRTUAL_ENV') {
      const resolved = resolveRepoPath(value, scope.paths);
      const env: { environment: string; skipReason?: SkipReason } = resolved.unresolved
        ? { environment: ENV_UNKNOWN, skipReason: 'contains-variable' }
        : environmentOfDirectory(resolved.path, resolved.inRepo);
      scope.sink.addString(node, {
        kind: 'venv-variable',
        consumer: scope.consumer,
        environment: env.environment,
        skipReason: env.skipReason,
        meta: { ...scope.meta, jsonPath: [...scope.path, key], variable: key },
      });
    }
  }
}
