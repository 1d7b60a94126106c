import { createRequire } from 'node:module';
import type { Document, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import {
  type EnvironmentRef,
  repoPath,
  type ShellFinding,
  scanShell,
} from '../../core/shell/index.js';
import { LineIndex, makeReference } from '../reference.js';
import {
  type DetectContext,
  type DetectResult,
  ENV_PATH_PYTHON,
  type Reference,
} from '../types.js';
import { MappedScalar, mapScalar } from './scalar-text.js';

// yaml is the largest module an adapter loads (about 40 ms of every scan's start): it is
// required on the first workflow, so a repository without one never pays for it.
const require = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  yamlModule ??= require('yaml') as typeof import('yaml');
  return yamlModule;
}
const isMap = (node: unknown): node is YAMLMap => yaml().isMap(node);
const isScalar = (node: unknown): node is Scalar => yaml().isScalar(node);
const isSeq = (node: unknown): node is YAMLSeq => yaml().isSeq(node);
function parseDocument(content: string, options: { uniqueKeys: boolean }): Document {
  return yaml().parseDocument(content, options);
}

/** `.github/workflows/*.yml` and `*.yaml`. */
export function isWorkflow(file: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(file);
}

/** Known values at some level of the workflow: shell variables and venv-bound ones. */
interface Scope {
  variables: Record<string, string>;
  venvVariables: Record<string, EnvironmentRef>;
  /** A venv on PATH for every later step (written to `$GITHUB_PATH`). */
  active?: EnvironmentRef;
}

/** Shells whose `run:` text is not shell commands. */
const NOT_SHELL = /^python/;

function child(map: unknown, key: string): unknown {
  return isMap(map) ? (map as YAMLMap).get(key, true) : undefined;
}

function stringOf(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** The scalar as written in the file, quotes removed: `3.10` stays `3.10`. */
function sourceText(content: string, node: Scalar): string | undefined {
  if (!node.range) return undefined;
  const raw = content.slice(node.range[0], node.range[1]).trim();
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return String(node.value);
  return raw;
}

function defaultsRun(map: unknown, key: string): unknown {
  return child(child(child(map, 'defaults'), 'run'), key);
}

/** Quotes text for a synthetic `"…"` shell word, as the escapes the scanner reads. */
function appendQuoted(mapped: MappedScalar, value: MappedScalar): MappedScalar {
  for (let i = 0; i < value.text.length; i++) {
    const c = value.text[i]!;
    const span = value.rawSpan(i, i + 1)!;
    if (c === '"' || c === '\\' || c === '`') mapped.push('\\', span.start, span.start);
    mapped.push(c, span.start, span.end);
  }
  return mapped;
}

/**
 * References in a GitHub Actions workflow: `actions/setup-python` steps, `env:` entries
 * naming a venv or PYTHONPATH, and what `run:` steps do, through the shared shell
 * scanner, with offsets mapped back into the YAML exactly.
 */
export function detectWorkflowReferences(
  content: string,
  file: string,
  _context: DetectContext,
): DetectResult | null {
  const doc = parseDocument(content, { uniqueKeys: false });
  const root = doc.contents;
  if (!isMap(root)) return null;
  const lines = new LineIndex(content);
  const references: Reference[] = [];
  const add = (
    start: number,
    end: number,
    consumer: string,
    finding: Omit<ShellFinding, 'start' | 'end'>,
  ) => {
    references.push(
      makeReference(content, lines, file, start, end, {
        kind: finding.kind,
        adapter: 'github-workflows',
        consumer,
        environment: finding.environment,
        ...(finding.skipReason === undefined ? {} : { skipReason: finding.skipReason }),
        ...(finding.meta === undefined ? {} : { meta: finding.meta }),
      }),
    );
  };

  /** Runs the scanner over mapped text and reports findings at their file spans. */
  const scan = (mapped: MappedScalar, scope: Scope, consumer: string) => {
    const result = scanShell(mapped.text, {
      cwd: '',
      variables: scope.variables,
      venvVariables: scope.venvVariables,
      ...(scope.active === undefined ? {} : { active: scope.active }),
    });
    for (const finding of result.findings) {
      const span = mapped.rawSpan(finding.start, finding.end);
      if (span === undefined || span.end <= span.start) continue;
      add(span.start, span.end, consumer, finding);
    }
    return result;
  };

  /** An `env:` map: each entry is an exported assignment for the steps below it. */
  const env = (map: unknown, scope: Scope, consumer: string): Scope => {
    if (!isMap(map)) return scope;
    let current = scope;
    for (const pair of (map as YAMLMap).items) {
      const key = stringOf(pair.key);
      if (key === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
      if (!isScalar(pair.value)) continue;
      const value = mapScalar(content, pair.value as Scalar);
      const whole = value?.rawSpan(0, value.text.length);
      if (value === undefined || whole === undefined) continue;
      // `KEY: value` reads as `export KEY="value"`; the synthetic parts take no room in
      // the file, so a finding's span is exactly the value as written.
      const mapped = new MappedScalar();
      mapped.push(`export ${key}="`, whole.start, whole.start);
      appendQuoted(mapped, value);
      mapped.push('"', whole.end, whole.end);
      const result = scan(mapped, current, consumer);
      current = { variables: result.variables, venvVariables: result.venvVariables };
      const known = current.variables[key];
      if (known !== undefined) current.variables[`{{env.${key}}}`] = known;
    }
    return current;
  };

  const workflowConsumer = `workflow ${file}`;
  const base: Scope = {
    variables: {
      GITHUB_WORKSPACE: repoPath(''),
      '{{github.workspace}}': repoPath(''),
    },
    venvVariables: {},
  };
  const workflowScope = env(child(root, 'env'), base, workflowConsumer);
  const workflowDirectory = defaultsRun(root, 'working-directory');
  const workflowShell = stringOf(defaultsRun(root, 'shell'));

  const jobs = child(root, 'jobs');
  if (isMap(jobs)) {
    for (const jobPair of (jobs as YAMLMap).items) {
      const jobId = isScalar(jobPair.key) ? String(jobPair.key.value) : undefined;
      const job = jobPair.value;
      if (jobId === undefined || !isMap(job)) continue;
      const consumer = `workflow ${file} job ${jobId}`;
      const jobScope = env(child(job, 'env'), workflowScope, consumer);
      const jobDirectory = defaultsRun(job, 'working-directory') ?? workflowDirectory;
      const jobShell = stringOf(defaultsRun(job, 'shell')) ?? workflowShell;
      const steps = child(job, 'steps');
      if (!isSeq(steps)) continue;
      // What steps hand to later steps of the job through $GITHUB_ENV / $GITHUB_PATH.
      const carried: Scope = { variables: {}, venvVariables: {} };
      for (const step of steps.items) {
        if (!isMap(step)) continue;
        const uses = child(step, 'uses');
        if (isScalar(uses) && typeof uses.value === 'string') {
          setupPython(uses as Scalar, step, consumer);
        }
        const run = child(step, 'run');
        if (!isScalar(run) || typeof run.value !== 'string') continue;
        const shell = stringOf(child(step, 'shell')) ?? jobShell;
        if (shell !== undefined && NOT_SHELL.test(shell.trim())) continue;
        const stepScope = env(
          child(step, 'env'),
          {
            variables: { ...jobScope.variables, ...carried.variables },
            venvVariables: { ...jobScope.venvVariables, ...carried.venvVariables },
          },
          consumer,
        );
        if (carried.active !== undefined) stepScope.active = carried.active;
        const script = mapScalar(content, run as Scalar);
        if (script === undefined) continue;
        const directory = child(step, 'working-directory') ?? jobDirectory;
        const mapped = new MappedScalar();
        const directoryText = isScalar(directory)
          ? mapScalar(content, directory as Scalar)
          : undefined;
        if (directoryText !== undefined) {
          // The step's working directory, as the `cd` the runner does before the script.
          const at = run.range![0];
          mapped.push('cd "', at, at);
          for (let i = 0; i < directoryText.text.length; i++) {
            const c = directoryText.text[i]!;
            mapped.push(c === '"' || c === '\\' ? '' : c, at, at);
          }
          mapped.push('"\n', at, at);
        }
        for (let i = 0; i < script.text.length; i++) {
          const span = script.rawSpan(i, i + 1)!;
          mapped.push(script.text[i]!, span.start, span.end);
        }
        const { exported } = scan(mapped, stepScope, consumer);
        Object.assign(carried.variables, exported.variables);
        Object.assign(carried.venvVariables, exported.venvVariables);
        if (exported.active !== undefined) carried.active = exported.active;
      }
    }
  }

  function setupPython(uses: Scalar, step: unknown, consumer: string): void {
    const action = String(uses.value);
    if (!/^actions\/setup-python(?:@|$)/.test(action)) return;
    const mapped = mapScalar(content, uses);
    const span = mapped?.rawSpan(0, mapped.text.length);
    if (span === undefined) return;
    const meta: Record<string, string | string[]> = { action };
    const withMap = child(step, 'with');
    for (const key of ['python-version', 'python-version-file']) {
      const node = child(withMap, key);
      if (isScalar(node)) {
        const text = sourceText(content, node as Scalar);
        if (text !== undefined) meta[key] = text;
      } else if (isSeq(node)) {
        meta[key] = node.items.flatMap((item) => {
          const text = isScalar(item) ? sourceText(content, item as Scalar) : undefined;
          return text === undefined ? [] : [text];
        });
      }
    }
    add(span.start, span.end, consumer, {
      kind: 'setup-python',
      environment: ENV_PATH_PYTHON,
      meta,
    });
  }

  if (references.length === 0) return null;
  references.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { references };
}
