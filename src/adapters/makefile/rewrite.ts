import type { RewriteContext, RewriteResult, Rewriter } from '../../core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../core/scan/model.js';
import { normalizeRelative } from '../shared/paths.js';
import { gapTokens, listCommands, wholeLines } from '../shell/commands.js';
import { skipReasonText } from '../shell/installs.js';
import { type EntryPath, planShellText, type Site } from '../shell/move-shell.js';
import { type Change, type Plan, settle } from '../shell/settle.js';
import { type Fragment, moveWord, relativePath } from '../shell/words.js';
import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN } from '../types.js';
import { detectMakefileReferences } from './detect.js';

/**
 * Makefiles onto the unified venv (see readme.md, "Rewrite"): venv variables
 * (`VENV := .venv`, `PYTHON ?= python3`) name the unified venv, relative to the Makefile's
 * directory where recipes run; what uses them moves with them. In recipes, a venv creation
 * runs `python/setup.sh` instead, installs of what the lock holds go, and the rest moves
 * as in shell scripts.
 */

const ASSIGNMENT = /^([^\s:#=?+!$]+)[ \t]*(:::=|::=|:=|\?=|\+=|!=|=)[ \t]*/;
const MAKE_VARIABLE = /\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g;

function directoryOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash === -1 ? '' : file.slice(0, slash);
}

/** Repo-relative and normalised; undefined for a path that leaves the repository. */
function normalize(path: string): string | undefined {
  const out = normalizeRelative(path);
  return out === '..' || out.startsWith('../') ? undefined : out;
}

/** A PYTHONPATH entry of a Makefile: `$(CURDIR)/x` or a relative path; anything else may change. */
function entryPathIn(dir: string, raw: string): EntryPath {
  const text = raw.replace(/^(["'])(.*)\1$/s, '$2');
  const curdir = /^\$[({]CURDIR[)}](?:\/(.*))?$/s.exec(text);
  const relative = curdir ? (curdir[1] ?? '') : text;
  if (relative.includes('$') || relative.startsWith('/') || relative.startsWith('~')) {
    return { sure: false };
  }
  const path = normalize(dir === '' ? relative : `${dir}/${relative}`);
  return path === undefined ? { sure: false } : { path, sure: true };
}

/** The recipe line (through its continuations) holding `offset`: where its shell text starts and ends. */
function recipeLine(text: string, offset: number): { start: number; end: number } {
  let start = text.lastIndexOf('\n', offset - 1) + 1;
  // Back over lines that the one before continues.
  while (start > 0) {
    const previousEnd = text[start - 2] === '\r' ? start - 2 : start - 1;
    if (text[previousEnd - 1] !== '\\') break;
    start = text.lastIndexOf('\n', previousEnd - 1) + 1;
  }
  let end = offset;
  for (;;) {
    const newline = text.indexOf('\n', end);
    const lineEnd =
      newline === -1 ? text.length : text[newline - 1] === '\r' ? newline - 1 : newline;
    if (newline === -1 || text[lineEnd - 1] !== '\\') {
      end = lineEnd;
      break;
    }
    end = newline + 1;
  }
  if (text[start] === '\t') {
    start++;
    while (start < end && /[@+\- \t]/.test(text[start]!)) start++;
  }
  return { start, end };
}

/** A `cd` or `pushd` runs before `offset` in the same shell. */
function movedBefore(text: string, start: number, offset: number): boolean {
  return listCommands(text, start, offset).some((c) => {
    const name = text.slice(c.words[0]!.start, c.words[0]!.end);
    return name === 'cd' || name === 'pushd';
  });
}

function rewriteMakefile(
  content: string,
  references: ScanReference[],
  context: RewriteContext,
): RewriteResult {
  const file = context.file;
  const dir = directoryOf(file);
  const unified = context.unifiedVenv;
  const relativeVenv = relativePath(dir, unified);
  const plan: Plan = { changes: [], dependents: [], skipped: [], notes: [] };
  const variableLevel = references.filter((r) => r.consumer.startsWith('makefile '));
  const recipes = references.filter((r) => !r.consumer.startsWith('makefile '));

  // Make variables bound to venvs: which move, which stay and why.
  const assignments = new Map<string, ScanReference[]>();
  for (const reference of variableLevel) {
    const name = reference.meta?.variable;
    if (reference.kind !== 'venv-variable' || typeof name !== 'string') continue;
    assignments.set(name, [...(assignments.get(name) ?? []), reference]);
  }
  const moved = new Set<string>();
  const kept = new Map<string, string>();
  for (const [name, list] of assignments) {
    let reason: string | undefined;
    for (const reference of list) {
      if (reference.unified) continue;
      const operator = ASSIGNMENT.exec(reference.text)?.[2];
      if (reference.skipReason !== undefined) reason ??= skipReasonText(reference, context);
      else if (reference.environment === ENV_UNKNOWN || operator === undefined) {
        reason ??= skipReasonText({ ...reference, skipReason: 'unsupported' }, context);
      } else if (operator === '+=')
        reason ??= `appends to $(${name}): set it to ${unified} by hand`;
    }
    if (reason === undefined) moved.add(name);
    else kept.set(name, reason);
  }
  const usesOf = (text: string) => [...text.matchAll(MAKE_VARIABLE)].map((m) => m[1]!);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, list] of assignments) {
      if (!moved.has(name)) continue;
      const stays = list.flatMap((r) => usesOf(r.text)).find((n) => n !== name && kept.has(n));
      if (stays === undefined) continue;
      moved.delete(name);
      kept.set(name, `built from $(${stays}), which stays: set it to ${unified} by hand`);
      changed = true;
    }
  }

  const venvFragment: Fragment = { text: relativeVenv, expands: false, relative: true };
  for (const reference of variableLevel) {
    if (reference.unified) continue;
    if (reference.kind === 'pythonpath') {
      plan.changes.push(...pythonpathChange(content, reference, dir, context));
      if (!plan.changes.some((c) => c.references.includes(reference))) {
        plan.skipped.push({
          reference,
          reason:
            reference.skipReason !== undefined
              ? skipReasonText(reference, context)
              : `PYTHONPATH names what ${unified} does not put on sys.path: add it to [tool.onevenv] paths, or keep it`,
        });
      }
      continue;
    }
    const name = reference.meta?.variable;
    if (typeof name !== 'string' || !moved.has(name)) {
      plan.skipped.push({
        reference,
        reason:
          (typeof name === 'string' ? kept.get(name) : undefined) ??
          skipReasonText(reference, context),
      });
      continue;
    }
    const head = ASSIGNMENT.exec(reference.text)!;
    const value = reference.text.slice(head[0].length);
    const dependsOn = usesOf(value).find((n) => n !== name && moved.has(n));
    if (dependsOn !== undefined) {
      plan.dependents.push({
        reference,
        fallback: `still names ${reference.environment} after $(${dependsOn}) moved: set it to ${unified} by hand`,
        stays: `built from $(${dependsOn}), which stays: set it to ${unified} by hand`,
      });
      continue;
    }
    const first = /^\S+/.exec(value)?.[0] ?? '';
    const rest = value.slice(first.length);
    const environment = reference.environment;
    const replacement =
      (environment === ENV_PATH_PYTHON || environment === ENV_SYSTEM) && !first.includes('/')
        ? `${relativeVenv}/bin/python3`
        : moveWord(first, environment, unified, () => venvFragment);
    const fallback = `could not move $(${name}): set it to ${unified} by hand`;
    if (replacement === undefined) {
      plan.skipped.push({ reference, reason: fallback });
      continue;
    }
    const start = reference.span.start + head[0].length;
    plan.changes.push({
      edits: [
        {
          start,
          end: reference.span.end,
          replacement: `${replacement}${rest}`,
          reason: `$(${name}) → ${unified}`,
        },
      ],
      references: [reference],
      fallback,
    });
  }

  // Recipes: each recipe line is shell text of its own.
  const regions = new Map<string, { start: number; end: number; sites: Site[] }>();
  for (const reference of recipes) {
    const line = recipeLine(content, reference.span.start);
    const key = `${line.start}:${line.end}`;
    const region = regions.get(key) ?? { ...line, sites: [] };
    region.sites.push({ reference, start: reference.span.start, end: reference.span.end });
    regions.set(key, region);
  }
  const setup = relativePath(dir, context.setupScript);
  for (const region of regions.values()) {
    const venvAt = (offset: number): Fragment =>
      movedBefore(content, region.start, offset)
        ? { text: `$(CURDIR)/${relativeVenv}`, expands: true }
        : venvFragment;
    const part = planShellText(content, region.start, region.end, region.sites, {
      context,
      venvAt,
      absoluteVenvAt: () => ({ text: `$(CURDIR)/${relativeVenv}`, expands: true }),
      creation: (offset) => [
        movedBefore(content, region.start, offset) ? `"$(CURDIR)/${setup}"` : setup,
      ],
      creationReason: `venv creation → ${context.setupScript}`,
      bareInterpreter: 'replace',
      bareFallback: '',
      movedVariables: moved,
      keptVariables: kept,
      entryPath: (raw) => entryPathIn(dir, raw),
    });
    plan.changes.push(...part.changes);
    plan.dependents.push(...part.dependents);
    plan.skipped.push(...part.skipped);
    plan.notes.push(...part.notes);
  }
  return settle(content, plan, (text) =>
    classifyReferences(
      detectMakefileReferences(text, file, { unifiedVenv: unified })?.references ?? [],
      unified,
    ),
  );
}

/** `export PYTHONPATH := …` whose entries the venv's .pth provides: the assignment goes. */
function pythonpathChange(
  content: string,
  reference: ScanReference,
  dir: string,
  context: RewriteContext,
): Change[] {
  if (reference.skipReason !== undefined) return [];
  const head = ASSIGNMENT.exec(reference.text);
  if (!head) return [];
  const value = reference.text.slice(head[0].length).trim();
  const paths = new Set(context.paths);
  const entries = value.split(':').filter((e) => e !== '');
  const existing = (e: string) => /^\$[({]PYTHONPATH[)}]$/.test(e.trim());
  const covered: string[] = [];
  const coveredPaths: string[] = [];
  for (const entry of entries) {
    if (existing(entry)) continue;
    const read = entryPathIn(dir, entry.trim());
    if (!read.sure || read.path === undefined || !paths.has(read.path)) continue;
    covered.push(entry);
    coveredPaths.push(read.path);
  }
  if (covered.length === 0 || !entries.every((e) => existing(e) || covered.includes(e))) return [];
  // Only the assignment on its line(s), `export`/`override` before it included.
  const range = wholeLines(content, reference.span.start, reference.span.end);
  const before = content.slice(range.start, reference.span.start).replace(/^\r?\n/, '');
  if (!/^[ \t]*(?:(?:export|override)[ \t]+)*$/.test(before)) return [];
  const newline = content.indexOf('\n', reference.span.end);
  if (
    gapTokens(content, reference.span.end, newline === -1 ? content.length : newline).length > 0
  ) {
    return [];
  }
  return [
    {
      edits: [
        {
          ...range,
          replacement: '',
          reason: `PYTHONPATH removed: ${context.unifiedVenv} has ${coveredPaths.join(', ')} on sys.path`,
        },
      ],
      references: [reference],
      fallback: `PYTHONPATH can go: ${context.unifiedVenv} has its paths on sys.path; remove it by hand`,
    },
  ];
}

export const rewriter: Rewriter = { rewrite: rewriteMakefile };
