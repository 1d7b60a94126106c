import {
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { applyEdits } from '../../core/adopt/apply-edits.js';
import type {
  Edit,
  RewriteContext,
  RewriteResult,
  Rewriter,
  SkippedReference,
} from '../../core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../core/scan/model.js';
import { normalizeRelative } from '../shared/paths.js';
import {
  commandName,
  endsLine,
  lineEndOf,
  lineStartOf,
  listCommands,
  startsLine,
} from '../shell/commands.js';
import { installStays, skipReasonText } from '../shell/installs.js';
import { type EntryPath, planShellText, type Site } from '../shell/move-shell.js';
import { type Change, type Plan, settle } from '../shell/settle.js';
import { composeWord, type Fragment, inDoubleQuotes, moveWord } from '../shell/words.js';
import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN } from '../types.js';
import { detectWorkflowReferences } from './detect.js';
import { type MappedScalar, mapScalar } from './scalar-text.js';

/**
 * GitHub workflows onto the unified venv (see readme.md, "Rewrite"). A step that only sets
 * up an environment (creates a venv, installs what the lock holds, activates) becomes
 * `python/setup.sh` plus a line that puts the venv's bin/ on `$GITHUB_PATH`, so the later
 * steps of the job run it; in a step that does more, the same happens where the venv was
 * created. `actions/setup-python` stays: it provides the python3 setup.sh starts from.
 * Edits are spliced into the YAML text and proved by parsing it again.
 */

/** A `run:` step and its decoded text, with the file span of every character. */
interface RunStep {
  path: (string | number)[];
  jobId: string;
  scalar: Scalar;
  mapped: MappedScalar;
  rawStarts: number[];
  rawEnds: number[];
  /** Column of the `run` key, for a block scalar written in its place. */
  keyColumn: number;
  /** A working-directory applies: paths are anchored at $GITHUB_WORKSPACE. */
  directory: boolean;
  /** Why nothing in it is rewritten (a Windows runner, a PowerShell step). */
  refuse?: string;
  /** Steps after this one in the same job. */
  later: boolean;
}

interface EnvEntry {
  key: string;
  pair: Pair;
  scalar: Scalar;
  map: YAMLMap;
  /** The `env:` pair holding the map. */
  envPair: Pair;
  mapped: MappedScalar;
}

function child(node: unknown, key: string): unknown {
  return isMap(node) ? (node as YAMLMap).get(key, true) : undefined;
}

function stringOf(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function defaultsRun(node: unknown, key: string): unknown {
  return child(child(child(node, 'defaults'), 'run'), key);
}

function pairOf(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap).items.find(
    (p) => stringOf(p.key) === key || (isScalar(p.key) && p.key.value === key),
  );
}

function withSpans(content: string, scalar: Scalar) {
  const mapped = mapScalar(content, scalar);
  if (mapped === undefined) return undefined;
  const rawStarts: number[] = [];
  const rawEnds: number[] = [];
  for (let i = 0; i < mapped.text.length; i++) {
    const span = mapped.rawSpan(i, i + 1)!;
    rawStarts.push(span.start);
    rawEnds.push(span.end);
  }
  return { mapped, rawStarts, rawEnds };
}

interface Structure {
  steps: RunStep[];
  env: EnvEntry[];
}

function readStructure(content: string, setupScript: string): Structure | undefined {
  const doc = parseDocument(content, { uniqueKeys: false });
  if (doc.errors.length > 0) return undefined;
  const root = doc.contents;
  if (!isMap(root)) return { steps: [], env: [] };
  const out: Structure = { steps: [], env: [] };
  const envOf = (owner: unknown) => {
    const envPair = pairOf(owner, 'env');
    const map = envPair?.value;
    if (envPair === undefined || !isMap(map)) return;
    for (const pair of (map as YAMLMap).items) {
      const key = stringOf(pair.key);
      if (key === undefined || !isScalar(pair.value)) continue;
      const mapped = mapScalar(content, pair.value as Scalar);
      if (mapped === undefined) continue;
      out.env.push({
        key,
        pair,
        scalar: pair.value as Scalar,
        map: map as YAMLMap,
        envPair,
        mapped,
      });
    }
  };
  envOf(root);
  const workflowDirectory = defaultsRun(root, 'working-directory') !== undefined;
  const workflowShell = stringOf(defaultsRun(root, 'shell'));
  const jobs = child(root, 'jobs');
  if (!isMap(jobs)) return out;
  for (const jobPair of (jobs as YAMLMap).items) {
    const job = jobPair.value;
    const jobId = isScalar(jobPair.key) ? String(jobPair.key.value) : undefined;
    if (jobId === undefined || !isMap(job)) continue;
    envOf(job);
    const runsOn = child(job, 'runs-on');
    const runners = isSeq(runsOn)
      ? runsOn.items.map((item) => stringOf(item) ?? '')
      : [stringOf(runsOn) ?? ''];
    const windows = runners.some((r) => /windows/i.test(r));
    const jobDirectory = workflowDirectory || defaultsRun(job, 'working-directory') !== undefined;
    const jobShell = stringOf(defaultsRun(job, 'shell')) ?? workflowShell;
    const steps = child(job, 'steps');
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, index) => {
      if (!isMap(step)) return;
      envOf(step);
      const runPair = pairOf(step, 'run');
      const run = runPair?.value;
      if (runPair === undefined || !isScalar(run) || typeof run.value !== 'string') return;
      const spans = withSpans(content, run as Scalar);
      if (spans === undefined) return;
      const keyStart = (runPair.key as Node).range![0];
      const shell = stringOf(child(step, 'shell')) ?? jobShell;
      let refuse: string | undefined;
      if (windows)
        refuse = `runs on Windows, where ${setupScript} (POSIX sh) does not run: move this job by hand`;
      else if (shell !== undefined && /^(?:pwsh|powershell|cmd)\b/.test(shell.trim())) {
        refuse = `runs in ${shell.trim()}, not a POSIX shell: move this step by hand`;
      } else if ((step as YAMLMap).flow === true) refuse = 'a flow-style step: move it by hand';
      out.steps.push({
        path: ['jobs', jobId, 'steps', index, 'run'],
        jobId,
        scalar: run as Scalar,
        ...spans,
        keyColumn: keyStart - lineStartOf(content, keyStart),
        directory: jobDirectory || child(step, 'working-directory') !== undefined,
        ...(refuse === undefined ? {} : { refuse }),
        later: index < steps.items.length - 1,
      });
    });
  }
  return out;
}

function within(reference: ScanReference, scalar: Scalar): boolean {
  const range = scalar.range!;
  return reference.span.start >= range[0] && reference.span.end <= range[1];
}

/** Text for the inside of the scalar, escaped as its style needs; undefined when it cannot hold it. */
function escapeFor(scalar: Scalar, text: string): string | undefined {
  switch (scalar.type) {
    case 'QUOTE_DOUBLE':
      return text.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\n');
    case 'QUOTE_SINGLE':
      return text.includes('\n') ? undefined : text.replace(/'/g, "''");
    case 'BLOCK_LITERAL':
      return text;
    default:
      return text.includes('\n') ? undefined : text;
  }
}

/** An edit of a step's decoded text, as an edit of the file. */
function toRaw(content: string, step: RunStep, edit: Edit): Edit | undefined {
  const text = step.mapped.text;
  const n = text.length;
  const at = (i: number) => (i < n ? step.rawStarts[i]! : step.rawEnds[n - 1]!);
  if (n === 0) return undefined;
  if (step.scalar.type === 'BLOCK_LITERAL') {
    const indent = content.slice(lineStartOf(content, step.rawStarts[0]!), step.rawStarts[0]!);
    const lineAt = (i: number) => i === 0 || text[i - 1] === '\n';
    if (lineAt(edit.start) && (edit.end === n || lineAt(edit.end)) && edit.end > edit.start) {
      // Whole lines: each keeps the block's indentation.
      const start = lineStartOf(content, at(edit.start));
      const end = edit.end === n ? step.rawEnds[n - 1]! : lineStartOf(content, at(edit.end));
      const replacement = edit.replacement
        .split('\n')
        .map((line) => (line === '' ? line : indent + line))
        .join('\n');
      return { start, end, replacement, reason: edit.reason };
    }
    const start = at(edit.start);
    const end = edit.end > edit.start ? step.rawEnds[edit.end - 1]! : start;
    return {
      start,
      end,
      replacement: edit.replacement.replace(/\n/g, `\n${indent}`),
      reason: edit.reason,
    };
  }
  const replacement = escapeFor(step.scalar, edit.replacement);
  if (replacement === undefined) return undefined;
  const start = at(edit.start);
  const end = edit.end > edit.start ? step.rawEnds[edit.end - 1]! : start;
  return { start, end, replacement, reason: edit.reason };
}

/** The value of the `run:` scalar at `path` once `edits` are applied, or undefined when the YAML breaks. */
function runValueAfter(
  content: string,
  edits: readonly Edit[],
  path: (string | number)[],
): string | undefined {
  const applied = applyEdits(content, edits);
  if (!applied.ok) return undefined;
  const doc = parseDocument(applied.text, { uniqueKeys: false });
  if (doc.errors.length > 0) return undefined;
  const node = doc.getIn(path, true);
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

const TALK = new Set(['echo', 'printf', ':', 'true', 'which', 'type', 'command']);
const VERSION = new Set(['--version', '-V', '-VV']);

function rewriteWorkflow(
  content: string,
  references: ScanReference[],
  context: RewriteContext,
): RewriteResult {
  const unified = context.unifiedVenv;
  const off = references.filter((r) => !r.unified);
  const structure = readStructure(content, context.setupScript);
  if (structure === undefined) {
    return {
      edits: [],
      skipped: off.map((reference) => ({
        reference,
        reason: 'the workflow does not parse as YAML: fix it, then run adopt again',
      })),
      notes: [],
    };
  }
  const plan: Plan = { changes: [], dependents: [], skipped: [], notes: [] };
  // Runners put the workspace under a path without blanks: it needs no quotes, even in plain YAML.
  const workspaceVenv: Fragment = {
    text: `$GITHUB_WORKSPACE/${inDoubleQuotes(unified)}`,
    expands: true,
    unquoted: true,
  };
  const rootVenv: Fragment = { text: unified, expands: false, relative: true };
  const pathLine = `echo "$GITHUB_WORKSPACE/${inDoubleQuotes(unified)}/bin" >> "$GITHUB_PATH"`;
  /** Which raw edit came from which decoded edit of which step, for the proof at the end. */
  const origins = new Map<Edit, { step: RunStep; decoded: Edit }>();

  const envVariables = envAnalysis(structure.env, off, context);
  for (const entry of structure.env) {
    const refs = off.filter((r) => within(r, entry.scalar));
    for (const reference of refs) {
      const change = envChange(content, entry, reference, envVariables, context);
      if (typeof change === 'string') plan.skipped.push({ reference, reason: change });
      else if ('fallback' in change && 'edits' in change) plan.changes.push(change);
      else plan.dependents.push(change);
    }
  }

  const setUpJobs = new Set<string>();
  for (const step of structure.steps) {
    const refs = off.filter((r) => within(r, step.scalar));
    if (runsSetup(step, context)) setUpJobs.add(step.jobId);
    const jobSetUp = setUpJobs.has(step.jobId);
    if (refs.length === 0) continue;
    if (step.refuse !== undefined) {
      for (const reference of refs) plan.skipped.push({ reference, reason: step.refuse });
      continue;
    }
    const sites = refs.flatMap((reference): Site[] => {
      const start = step.rawStarts.indexOf(reference.span.start);
      const end = step.rawEnds.lastIndexOf(reference.span.end) + 1;
      return start === -1 || end <= start ? [] : [{ reference, start, end }];
    });
    const placed = new Set(sites.map((s) => s.reference));
    for (const reference of refs) {
      if (!placed.has(reference)) {
        plan.skipped.push({
          reference,
          reason: skipReasonText({ ...reference, skipReason: 'unsupported' }, context),
        });
      }
    }
    const whole = pureSetup(step, sites, context)
      ? wholeStep(content, step, sites, pathLine, context)
      : undefined;
    const stepPlan = whole
      ? whole.plan
      : planShellText(step.mapped.text, 0, step.mapped.text.length, sites, {
          context,
          venvAt: (offset) => (anchored(step, offset) ? workspaceVenv : rootVenv),
          absoluteVenvAt: () => workspaceVenv,
          creation: (offset, site) => {
            const setup = anchored(step, offset)
              ? `$GITHUB_WORKSPACE/${context.setupScript}`
              : context.setupScript;
            const lines = [setup];
            if (step.later) lines.push(pathLine);
            // An install into the runner's Python set up what the rest of the step runs.
            if (site.reference.kind === 'pip-install' && runsMore(step, offset, sites)) {
              lines.push(
                `. ${composeWord(anchored(step, offset) ? workspaceVenv : rootVenv, '/bin/activate', '')}`,
              );
            }
            return step.scalar.type === 'BLOCK_LITERAL' ? lines : [lines.join(' && ')];
          },
          creationReason: `venv creation → ${context.setupScript}`,
          bareInterpreter: 'depend',
          bareFallback: `runs python from PATH in a job that does not build ${unified}: add a step that runs ${context.setupScript}`,
          installSetsUp: !jobSetUp,
          movedVariables: envVariables.moved,
          keptVariables: envVariables.kept,
          entryPath: (raw) => entryPathOf(raw, step.directory),
        });
    // Splice into the YAML, and prove the step's new text is what the scalar now holds.
    const rawChanges: Change[] = [];
    let broken = false;
    for (const change of stepPlan.changes) {
      const edits: Edit[] = [];
      for (const decoded of change.edits) {
        const raw = whole?.raw.get(decoded) ?? toRaw(content, step, decoded);
        if (raw === undefined) {
          broken = true;
          break;
        }
        origins.set(raw, { step, decoded });
        edits.push(raw);
      }
      rawChanges.push({ ...change, edits });
    }
    const decodedEdits = stepPlan.changes.flatMap((c) => c.edits);
    const expected = applyEdits(step.mapped.text, decodedEdits);
    if (
      !broken &&
      expected.ok &&
      runValueAfter(
        content,
        rawChanges.flatMap((c) => c.edits),
        step.path,
      ) === expected.text
    ) {
      plan.changes.push(...rawChanges);
      if (rawChanges.some((c) => c.edits.some((e) => SETS_UP.test(e.reason))))
        setUpJobs.add(step.jobId);
      plan.dependents.push(...stepPlan.dependents);
      plan.skipped.push(...stepPlan.skipped);
      plan.notes.push(...stepPlan.notes);
      continue;
    }
    for (const reference of refs.filter((r) => placed.has(r))) {
      plan.skipped.push({
        reference,
        reason: `this run: step could not be edited without changing what else it runs: move it to ${unified} by hand`,
      });
    }
  }

  for (const reference of off) {
    if (reference.kind !== 'setup-python') continue;
    plan.skipped.push({
      reference,
      reason: `kept: it provides the python3 that ${context.setupScript} builds ${unified} from`,
    });
  }
  const planned = new Set([
    ...plan.changes.flatMap((c) => c.references),
    ...plan.dependents.map((d) => d.reference),
    ...plan.skipped.map((s) => s.reference),
  ]);
  for (const reference of off) {
    if (!planned.has(reference)) {
      plan.skipped.push({
        reference,
        reason: skipReasonText(
          { ...reference, skipReason: reference.skipReason ?? 'unsupported' },
          context,
        ),
      });
    }
  }

  const result = settle(content, plan, (text) =>
    classifyReferences(
      detectWorkflowReferences(text, context.file, { unifiedVenv: unified })?.references ?? [],
      unified,
    ),
  );
  return proveYaml(content, result, origins, off, context);
}

/** Does a working-directory or an earlier `cd` move the step away from the repository root? */
function anchored(step: RunStep, offset: number): boolean {
  if (step.directory) return true;
  const text = step.mapped.text;
  return listCommands(text, 0, offset).some((c) => {
    const name = commandName(text, c.words[0]);
    return name === 'cd' || name === 'pushd';
  });
}

/** Something runs after the command at `offset` that is not an install the lock holds or talk. */
function runsMore(step: RunStep, offset: number, sites: readonly Site[]): boolean {
  const text = step.mapped.text;
  const commands = listCommands(text);
  const index = commands.findIndex((c) => c.start <= offset && offset < c.end);
  return commands.slice(index + 1).some((c) => {
    if (TALK.has(commandName(text, c.words[0]))) return false;
    const inside = sites.filter((s) => c.start <= s.start && s.end <= c.end);
    return !(inside.length > 0 && inside.every((s) => s.reference.kind === 'pip-install'));
  });
}

/** A step that only sets up an environment: it creates a venv or installs what the lock holds, activates, talks. */
function pureSetup(step: RunStep, sites: readonly Site[], context: RewriteContext): boolean {
  const text = step.mapped.text;
  const commands = listCommands(text);
  if (commands.length === 0) return false;
  let setsUp = false;
  for (const command of commands) {
    const inside = sites.filter((s) => command.start <= s.start && s.end <= command.end);
    const name = commandName(text, command.words[0]);
    if (inside.length === 0) {
      if (TALK.has(name) || /^pip\d*$/.test(name)) continue;
      return false;
    }
    for (const { reference } of inside) {
      const skip = reference.skipReason;
      if (reference.kind === 'venv-create' && skip === undefined) setsUp = true;
      else if (
        reference.kind === 'pip-install' &&
        (skip === undefined || skip === 'unsupported') &&
        installStays(reference, command.words, context) === undefined
      ) {
        setsUp = true;
      } else if (reference.kind === 'venv-activate' && skip === undefined) {
      } else if (
        reference.kind === 'python-command' &&
        command.words.slice(1).every((w) => VERSION.has(w.value))
      ) {
      } else return false;
    }
  }
  return setsUp;
}

/** The whole step becomes setup.sh and the line that puts the venv on PATH for the later steps. */
function wholeStep(
  content: string,
  step: RunStep,
  sites: readonly Site[],
  pathLine: string,
  context: RewriteContext,
): { plan: Plan; raw: Map<Edit, Edit> } {
  const setup = step.directory ? `$GITHUB_WORKSPACE/${context.setupScript}` : context.setupScript;
  const lines = step.later ? [setup, pathLine] : [setup];
  const text = step.mapped.text;
  const reason = `environment set-up → ${context.setupScript}`;
  const fallback = `could not replace this set-up step: make it run ${context.setupScript} by hand`;
  const references = sites.map((s) => s.reference);
  const raw = new Map<Edit, Edit>();
  let decoded: Edit;
  const range = step.scalar.range!;
  const rest = content.slice(range[1], lineEndOf(content, range[1]));
  if (step.scalar.type === 'BLOCK_LITERAL') {
    decoded = {
      start: 0,
      end: text.length,
      replacement: lines.join('\n') + (text.endsWith('\n') ? '\n' : ''),
      reason,
    };
  } else if (!/^[ \t]*$/.test(rest)) {
    // A comment follows on the line: the commands stay on one line.
    decoded = { start: 0, end: text.length, replacement: lines.join(' && '), reason };
  } else {
    // Another style becomes a literal block (`|-`: no final newline, as the one-liner had none).
    const indent = ' '.repeat(step.keyColumn + 2);
    decoded = { start: 0, end: text.length, replacement: lines.join('\n'), reason };
    raw.set(decoded, {
      start: range[0],
      end: range[1],
      replacement: `|-\n${lines.map((l) => indent + l).join('\n')}`,
      reason,
    });
  }
  return {
    plan: {
      changes: [{ edits: [decoded], references, fallback }],
      dependents: [],
      skipped: [],
      notes: [],
    },
    raw,
  };
}

/** The step already runs setup.sh: the job's venv is built. */
function runsSetup(step: RunStep, context: RewriteContext): boolean {
  const text = step.mapped.text;
  return listCommands(text).some((c) => {
    const word = c.words[0];
    return (
      word !== undefined &&
      text.slice(word.start, word.end).replace(/["']/g, '').endsWith(context.setupScript)
    );
  });
}

const SETS_UP = /^(?:environment set-up|venv creation|pip install) → /;

const ROOT_LEAD =
  /^(?:\$GITHUB_WORKSPACE|\$\{GITHUB_WORKSPACE\}|\$\{\{\s*github\.workspace\s*\}\})(?:\/(.*))?$/s;

/** Repo-relative and normalised; undefined for a path that leaves the repository. */
function normalize(path: string): string | undefined {
  const out = normalizeRelative(path);
  return out === '..' || out.startsWith('../') ? undefined : out;
}

/** A PYTHONPATH entry of a workflow: under $GITHUB_WORKSPACE, or relative to the root. */
function entryPathOf(raw: string, directory: boolean): EntryPath {
  const text = raw.replace(/^(["'])(.*)\1$/s, '$2');
  const lead = ROOT_LEAD.exec(text);
  if (lead) {
    const rest = lead[1] ?? '';
    if (rest.includes('$')) return { sure: false };
    const path = normalize(rest);
    return path === undefined ? { sure: false } : { path, sure: true };
  }
  if (directory || text.includes('$') || text.startsWith('/') || text.startsWith('~'))
    return { sure: false };
  const path = normalize(text);
  return path === undefined ? { sure: false } : { path, sure: true };
}

interface EnvVariables {
  moved: Set<string>;
  kept: Map<string, string>;
}

/** `env:` entries naming a venv: which move (all their entries can), which stay. */
function envAnalysis(
  entries: readonly EnvEntry[],
  off: readonly ScanReference[],
  context: RewriteContext,
): EnvVariables {
  const moved = new Set<string>();
  const kept = new Map<string, string>();
  for (const entry of entries) {
    const reference = off.find((r) => r.kind === 'venv-variable' && within(r, entry.scalar));
    if (reference === undefined) continue;
    if (reference.skipReason !== undefined || reference.environment === ENV_UNKNOWN) {
      kept.set(
        entry.key,
        skipReasonText(
          { ...reference, skipReason: reference.skipReason ?? 'unsupported' },
          context,
        ),
      );
    } else if (!kept.has(entry.key)) moved.add(entry.key);
  }
  for (const name of kept.keys()) moved.delete(name);
  return { moved, kept };
}

/** An `env:` entry: a venv variable moved, or a PYTHONPATH the venv provides removed. */
function envChange(
  content: string,
  entry: EnvEntry,
  reference: ScanReference,
  variables: EnvVariables,
  context: RewriteContext,
): Change | { reference: ScanReference; fallback: string } | string {
  const unified = context.unifiedVenv;
  if (reference.skipReason !== undefined) return skipReasonText(reference, context);
  const whole = entry.mapped.rawSpan(0, entry.mapped.text.length);
  if (whole === undefined)
    return skipReasonText({ ...reference, skipReason: 'unsupported' }, context);
  if (reference.kind === 'venv-variable') {
    if (!variables.moved.has(entry.key))
      return variables.kept.get(entry.key) ?? skipReasonText(reference, context);
    const value = entry.mapped.text;
    const uses = /\$\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}|\$\{?([A-Za-z_]\w*)/g;
    for (const match of value.matchAll(uses)) {
      const name = match[1] ?? match[2]!;
      if (name !== entry.key && variables.moved.has(name)) {
        return {
          reference,
          fallback: `still names ${reference.environment} after $${name} moved: set it to ${unified} by hand`,
        };
      }
    }
    const environment = reference.environment;
    const moved =
      (environment === ENV_PATH_PYTHON || environment === ENV_SYSTEM) && !value.includes('/')
        ? `${unified}/bin/python3`
        : moveWord(value, environment, unified, () => ({
            text: unified,
            expands: false,
            relative: true,
          }));
    const escaped = moved === undefined ? undefined : escapeFor(entry.scalar, moved);
    if (escaped === undefined) return `could not move ${entry.key}: set it to ${unified} by hand`;
    return {
      edits: [
        {
          start: whole.start,
          end: whole.end,
          replacement: escaped,
          reason: `${entry.key} → ${unified}`,
        },
      ],
      references: [reference],
      fallback: `could not move ${entry.key}: set it to ${unified} by hand`,
    };
  }
  if (reference.kind === 'pythonpath') {
    const paths = new Set(context.paths);
    const entries = entry.mapped.text.split(':').filter((e) => e !== '');
    const covered = entries
      .map((e) => entryPathOf(e, false))
      .filter((p) => p.sure && p.path !== undefined && paths.has(p.path));
    const existing = entries.filter((e) => /^\$\{?PYTHONPATH\}?$/.test(e)).length;
    if (covered.length === 0 || covered.length + existing !== entries.length) {
      return `PYTHONPATH names what ${unified} does not put on sys.path: add it to [tool.onevenv] paths, or keep it`;
    }
    const only = entry.map.items.length === 1;
    const target = only ? entry.envPair : entry.pair;
    const keyStart = (target.key as Node).range![0];
    const valueEnd = nodeEnd(target.value as Node);
    if (entry.map.flow === true || !startsLine(content, keyStart) || !endsLine(content, valueEnd)) {
      return `PYTHONPATH can go: ${unified} has its paths on sys.path; remove it by hand`;
    }
    const newline = content.indexOf('\n', valueEnd);
    return {
      edits: [
        {
          start: lineStartOf(content, keyStart),
          end: newline === -1 ? content.length : newline + 1,
          replacement: '',
          reason: `PYTHONPATH removed: ${unified} has ${covered.map((p) => p.path).join(', ')} on sys.path`,
        },
      ],
      references: [reference],
      fallback: `PYTHONPATH can go: ${unified} has its paths on sys.path; remove it by hand`,
    };
  }
  return skipReasonText({ ...reference, skipReason: 'unsupported' }, context);
}

/** Where a node's own text ends (a block map's range runs on over the line ending). */
function nodeEnd(node: Node): number {
  if (isMap(node) && node.items.length > 0) {
    const last = node.items[node.items.length - 1]!;
    return nodeEnd((last.value ?? last.key) as Node);
  }
  return node.range![1];
}

/**
 * The last proof: the new text parses, and every edited `run:` holds what the shell-level
 * edits that survived say it should. Otherwise the file stays as it is.
 */
function proveYaml(
  content: string,
  result: RewriteResult,
  origins: ReadonlyMap<Edit, { step: RunStep; decoded: Edit }>,
  off: readonly ScanReference[],
  context: RewriteContext,
): RewriteResult {
  if (result.edits.length === 0) return result;
  const applied = applyEdits(content, result.edits);
  const byStep = new Map<RunStep, Edit[]>();
  for (const edit of result.edits) {
    const origin = origins.get(edit);
    if (origin === undefined) continue;
    byStep.set(origin.step, [...(byStep.get(origin.step) ?? []), origin.decoded]);
  }
  let holds = applied.ok && parseDocument(applied.text, { uniqueKeys: false }).errors.length === 0;
  for (const [step, decoded] of byStep) {
    if (!holds) break;
    const expected = applyEdits(step.mapped.text, decoded);
    holds = expected.ok && runValueAfter(content, result.edits, step.path) === expected.text;
  }
  if (holds) return result;
  const skipped: SkippedReference[] = [...result.skipped];
  for (const reference of off) {
    if (skipped.some((s) => s.reference === reference)) continue;
    skipped.push({
      reference,
      reason: `the workflow could not be edited safely: move it to ${context.unifiedVenv} by hand`,
    });
  }
  return {
    edits: [],
    skipped,
    notes: ['the rewrite did not keep the workflow valid YAML: left as it is'],
  };
}

export const rewriter: Rewriter = { rewrite: rewriteWorkflow };
