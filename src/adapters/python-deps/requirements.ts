import { normalizeName, parseRequirement } from '../../core/pep508.js';
import type { DetectContext, DetectResult } from '../types.js';
import { containsVariable, directoryOf, resolveFrom } from './paths.js';
import { redactCredentials } from './redact.js';
import { SourceBuilder } from './source.js';

/**
 * pip requirement files (requirements*.txt, *.in, constraints): the same preprocessing as
 * pip's req_file.py — backslash continuations joined first, then ` #` comments removed —
 * and each logical line reported at the physical line it starts on.
 */

interface OptionSpec {
  long: string;
  takesValue: boolean;
}

const LINE_OPTIONS: Record<string, OptionSpec> = {
  '-r': { long: '--requirement', takesValue: true },
  '--requirement': { long: '--requirement', takesValue: true },
  '-c': { long: '--constraint', takesValue: true },
  '--constraint': { long: '--constraint', takesValue: true },
  '-e': { long: '--editable', takesValue: true },
  '--editable': { long: '--editable', takesValue: true },
  '-i': { long: '--index-url', takesValue: true },
  '--index-url': { long: '--index-url', takesValue: true },
  '--extra-index-url': { long: '--extra-index-url', takesValue: true },
  '-f': { long: '--find-links', takesValue: true },
  '--find-links': { long: '--find-links', takesValue: true },
  '--no-index': { long: '--no-index', takesValue: false },
  '--trusted-host': { long: '--trusted-host', takesValue: true },
  '--pre': { long: '--pre', takesValue: false },
  '--prefer-binary': { long: '--prefer-binary', takesValue: false },
  '--require-hashes': { long: '--require-hashes', takesValue: false },
  '--only-binary': { long: '--only-binary', takesValue: true },
  '--no-binary': { long: '--no-binary', takesValue: true },
  '--use-feature': { long: '--use-feature', takesValue: true },
  '-Z': { long: '--always-unzip', takesValue: false },
  '--always-unzip': { long: '--always-unzip', takesValue: false },
};

const REQUIREMENT_OPTIONS: Record<string, OptionSpec> = {
  '--hash': { long: '--hash', takesValue: true },
  '--config-settings': { long: '--config-settings', takesValue: true },
  '-C': { long: '--config-settings', takesValue: true },
  '--global-option': { long: '--global-option', takesValue: true },
  '--install-option': { long: '--install-option', takesValue: true },
};

const URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const VCS_URL = /^(git|hg|svn|bzr)\+/i;
const PATH_START = /^(\.{1,2}([/\\]|$|\[)|\/|~|[A-Za-z]:[/\\])/;
const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$/i;

interface RequirementsOptions {
  /** Every requirement only constrains versions (`-c` files, constraints*.txt). */
  constraints: boolean;
}

export function detectRequirements(
  content: string,
  file: string,
  context: DetectContext,
  options: RequirementsOptions,
): DetectResult | null {
  const builder = new SourceBuilder(file, 'requirements', context);
  const dir = directoryOf(file);
  for (const { line, text } of logicalLines(content)) {
    const stripped = text.replace(/(^|\s)#.*$/, '').trim();
    if (stripped === '') continue;
    const clean = redactCredentials(stripped);
    const redacted = clean !== stripped;
    if (clean.startsWith('-')) {
      readOptionLine(builder, clean, line, dir, redacted);
    } else {
      readRequirementLine(builder, clean, line, dir, redacted, options.constraints);
    }
  }
  return builder.result();
}

/** pip's join_lines: a trailing backslash joins the next line, a comment line ends the join. */
function logicalLines(content: string): { line: number; text: string }[] {
  const physical = content.split('\n');
  const out: { line: number; text: string }[] = [];
  let pending: string[] = [];
  let pendingLine = 0;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i]!.replace(/\r$/, '');
    const isComment = /^\s*#/.test(raw);
    if (!raw.endsWith('\\') || isComment) {
      const text = isComment ? ` ${raw}` : raw;
      if (pending.length > 0) {
        out.push({ line: pendingLine, text: pending.join('') + text });
        pending = [];
      } else {
        out.push({ line: i + 1, text });
      }
      continue;
    }
    if (pending.length === 0) pendingLine = i + 1;
    pending.push(raw.replace(/\\+$/, ''));
  }
  if (pending.length > 0) out.push({ line: pendingLine, text: pending.join('') });
  return out;
}

/** Whitespace-separated words with shell-style quotes, as pip's shlex.split of options. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

interface ParsedOption {
  long: string;
  value: string | undefined;
}

/** Reads `words` as options from `table`; returns an error message for the first bad one. */
function readOptions(
  words: string[],
  table: Record<string, OptionSpec>,
): { options: ParsedOption[] } | { error: string } {
  const options: ParsedOption[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let name: string;
    let value: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      name = eq === -1 ? word : word.slice(0, eq);
      value = eq === -1 ? undefined : word.slice(eq + 1);
    } else if (word.startsWith('-') && word.length >= 2) {
      name = word.slice(0, 2);
      value = word.length > 2 ? word.slice(2).replace(/^=/, '') : undefined;
    } else {
      return { error: `unexpected '${word}' among options` };
    }
    const spec = table[name];
    if (spec === undefined) return { error: `unknown option '${name}'` };
    if (spec.takesValue && value === undefined) {
      value = words[i + 1];
      if (value === undefined) return { error: `option '${name}' needs a value` };
      i++;
    } else if (!spec.takesValue && value !== undefined) {
      return { error: `option '${name}' takes no value` };
    }
    options.push({ long: spec.long, value });
  }
  return { options };
}

function readOptionLine(
  builder: SourceBuilder,
  text: string,
  line: number,
  dir: string,
  redacted: boolean,
): void {
  const read = readOptions(splitWords(text), LINE_OPTIONS);
  if ('error' in read) {
    builder.problem(line, `${read.error} in '${text}'`);
    return;
  }
  for (const { long, value } of read.options) {
    if (long === '--requirement' || long === '--constraint') {
      const local = !URL.test(value!);
      builder.source.includes.push({
        kind: long === '--requirement' ? 'requirements' : 'constraints',
        path: local ? resolveFrom(dir, value!) : value!,
        written: value!,
        local,
        line,
      });
    } else if (long === '--editable') {
      readInstallTarget(builder, value!, line, dir, true, redacted);
    } else {
      builder.source.options.push({ option: long, value: value ?? '', line });
    }
  }
}

function readRequirementLine(
  builder: SourceBuilder,
  text: string,
  line: number,
  dir: string,
  redacted: boolean,
  constraint: boolean,
): void {
  // pip's break_args_options: the first word that starts with '-' begins the options.
  const words = text.split(' ');
  const firstOption = words.findIndex((word) => word.startsWith('-'));
  const args = (firstOption === -1 ? words : words.slice(0, firstOption)).join(' ').trim();
  const optionWords = firstOption === -1 ? [] : splitWords(words.slice(firstOption).join(' '));
  const read = readOptions(optionWords, REQUIREMENT_OPTIONS);
  if ('error' in read) {
    builder.problem(line, `${read.error} in '${text}'`);
    return;
  }
  const meta: Record<string, string | boolean | string[]> = {};
  const hashes = read.options.filter((o) => o.long === '--hash').map((o) => o.value!);
  if (hashes.length > 0) meta.hashes = hashes;
  if (constraint) meta.constraint = true;
  if (redacted) meta.redacted = true;

  if (URL.test(args) || VCS_URL.test(args) || PATH_START.test(args)) {
    readInstallTarget(builder, args, line, dir, false, redacted, meta);
    return;
  }
  const parsed = parseRequirement(args);
  if (parsed.ok) {
    if (containsVariable(args)) meta.containsVariable = true;
    builder.accept(parsed.requirement, line, meta);
    return;
  }
  if (ARCHIVE.test(args) || /[/\\]/.test(args.split(/[;\s]/)[0]!)) {
    readInstallTarget(builder, args, line, dir, false, redacted, meta);
    return;
  }
  if (containsVariable(args)) {
    // pip expands ${VAR} from the environment when it installs; statically only the name
    // is known, so the declaration says so instead of guessing a version.
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(args)?.[0];
    if (name !== undefined && !args.startsWith('$')) {
      const afterName = args.slice(name.length).replace(/^\s*\[[^\]]*\]/, '');
      const specifier = afterName.split(';')[0]!.replace(/\s+/g, '');
      builder.add(args, normalizeName(name), specifier, line, { ...meta, containsVariable: true });
      return;
    }
    builder.problem(line, `'${args}' names its package through a variable`);
    return;
  }
  builder.problem(line, parsed.error);
}

/** The project name pip takes from a URL's `#egg=name` fragment. */
function eggName(url: string): string | undefined {
  const hash = url.indexOf('#');
  if (hash === -1) return undefined;
  for (const part of url.slice(hash + 1).split('&')) {
    const name = /^egg=([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)$/.exec(part)?.[1];
    if (name !== undefined) return name;
  }
  return undefined;
}

/** A path or URL in place of a requirement: `-e .`, `./vendor/pkg.whl`, `git+https://…`. */
function readInstallTarget(
  builder: SourceBuilder,
  target: string,
  line: number,
  dir: string,
  editable: boolean,
  redacted: boolean,
  meta: Record<string, string | boolean | string[]> = {},
): void {
  if (URL.test(target) || VCS_URL.test(target)) {
    const egg = eggName(target);
    if (egg !== undefined) {
      const extra: Record<string, string | boolean | string[]> = { ...meta };
      if (editable) extra.editable = true;
      if (redacted) extra.redacted = true;
      builder.requirement(`${egg} @ ${target}`, line, extra);
      return;
    }
    builder.source.directInstalls.push({ written: target, paths: [], editable, line });
    return;
  }
  const pathPart = target.replace(/\[[^\]]*\]$/, '');
  const paths = [resolveFrom(dir, pathPart)];
  const fromRoot = resolveFrom('.', pathPart);
  if (fromRoot !== paths[0]) paths.push(fromRoot);
  builder.source.directInstalls.push({ written: target, paths, editable, line });
}
