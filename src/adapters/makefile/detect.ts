import {
  classifyVariable,
  type EnvironmentRef,
  pythonpathFacts,
  ROOT,
  type ShellFinding,
  scanShell,
  UNKNOWN,
} from '../../core/shell/index.js';
import { locate, segments } from '../../core/shell/paths.js';
import { LineIndex, makeReference } from '../reference.js';
import {
  type DetectContext,
  type DetectResult,
  ENV_PATH_PYTHON,
  ENV_UNKNOWN,
  type Reference,
} from '../types.js';

/** `Makefile`, `makefile`, `GNUmakefile`, `*.mk`. */
export function isMakefile(file: string): boolean {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return (
    name === 'Makefile' || name === 'makefile' || name === 'GNUmakefile' || name.endsWith('.mk')
  );
}

type Definition =
  | { flavor: 'recursive'; raw: string }
  | { flavor: 'simple'; shell: string; value: string };

interface Assignment {
  name: string;
  operator: string;
  raw: string;
  /** Span of `NAME op value` in the file. */
  start: number;
  end: number;
  /** The value expanded when the line was read (for `:=`), else at the end. */
  value?: string;
}

interface Recipe {
  target: string;
  /** Raw spans of the recipe lines (prefix characters `@-+` excluded). */
  lines: { start: number; end: number }[];
}

interface MakeRef {
  name: string;
  start: number;
  end: number;
}

const ASSIGNMENT =
  /^((?:(?:export|override|private)[ \t]+)*)([^\s:#=?+!$]+)[ \t]*(:::=|::=|:=|\?=|\+=|!=|=)/;
const DIRECTIVE =
  /^(?:ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|sinclude|vpath|unexport|export|override|undefine)\b/;

/** Raw physical lines with their offsets; `end` excludes the line break. */
function physicalLines(text: string): { start: number; end: number }[] {
  const lines: { start: number; end: number }[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lines.push({ start, end: end > start && text[end - 1] === '\r' ? end - 1 : end });
    start = end + 1;
  }
  return lines;
}

function endsWithBackslash(text: string, start: number, end: number): boolean {
  let count = 0;
  for (let i = end - 1; i >= start && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** Offset of the first unescaped `#` in [start, end), or end. */
function commentStart(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === '#') return i;
  }
  return end;
}

/** The first `:` of a rule line outside `$(…)`, not part of an assignment operator. */
function ruleColon(line: string): number {
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) {
      depth++;
      i++;
      continue;
    }
    if ((c === ')' || c === '}') && depth > 0) depth--;
    if (c === ':' && depth === 0) return i;
  }
  return -1;
}

function closingParen(text: string, open: number, end: number): number {
  const opener = text[open];
  const closer = opener === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < end; i++) {
    if (text[i] === opener) depth++;
    else if (text[i] === closer) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(' || c === '{') depth++;
    if (c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      args.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  args.push(current);
  return args;
}

type Mode = 'shell' | 'value';

/**
 * Make's own expansion, as far as it can be done without running make. In 'shell' mode
 * the result is shell text for the recipe scanner (an unknown make variable becomes a
 * shell variable of that name, so the scanner reports contains-variable); in 'value' mode
 * unknown pieces are UNKNOWN.
 */
class MakeExpander {
  readonly definitions = new Map<string, Definition>();
  /** Variable lookups left for this file: `A = $(B)$(B)`, `B = $(C)$(C)`, … doubles each level. */
  private budget = 100_000;

  constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {}

  expand(raw: string, mode: Mode, depth = 0, refs?: string[]): string {
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c !== '$') {
        out += c;
        continue;
      }
      const n = raw[i + 1];
      if (n === undefined) {
        out += '$';
        continue;
      }
      if (n === '$') {
        out += mode === 'shell' ? '$' : UNKNOWN;
        i++;
        continue;
      }
      if (n === '(' || n === '{') {
        const close = closingParen(raw, i + 1, raw.length);
        const inner = raw.slice(i + 2, close === -1 ? raw.length : close);
        i = close === -1 ? raw.length : close;
        out += this.reference(inner, mode, depth, refs);
        continue;
      }
      out += this.variable(n, mode, depth, refs);
      i++;
    }
    return out;
  }

  /** `$(inner)`: a variable or a function call. */
  reference(inner: string, mode: Mode, depth: number, refs?: string[]): string {
    const trimmed = inner.trim();
    if (/^[^\s:=#,]+$/.test(trimmed)) return this.variable(trimmed, mode, depth, refs);
    const space = trimmed.search(/\s/);
    const fn = space === -1 ? trimmed : trimmed.slice(0, space);
    const args = splitArguments(space === -1 ? '' : trimmed.slice(space + 1)).map((a) =>
      this.expand(a, 'value', depth + 1, refs),
    );
    const result = this.call(fn, args);
    if (result === undefined) return this.unknown('', mode);
    return mode === 'shell' ? result.replaceAll(UNKNOWN, '$(:)') : result;
  }

  private call(fn: string, args: string[]): string | undefined {
    const words = (args[0] ?? '').trim().split(/\s+/).filter(Boolean);
    if (words.some((w) => w.includes(UNKNOWN))) return undefined;
    switch (fn) {
      case 'abspath':
      case 'realpath':
        return words
          .map((w) => {
            const location = locate(w, this.dir);
            return location.kind === 'repo' ? ROOT + location.path : UNKNOWN;
          })
          .join(' ');
      case 'dir':
        return words
          .map((w) => {
            const parts = segments(w);
            parts.pop();
            return parts.length === 0 ? './' : `${parts.join('/')}/`;
          })
          .join(' ');
      case 'notdir':
        return words.map((w) => segments(w).pop() ?? '').join(' ');
      case 'lastword':
        return words[words.length - 1] ?? '';
      case 'firstword':
        return words[0] ?? '';
      case 'strip':
        return words.join(' ');
      default:
        return undefined;
    }
  }

  variable(name: string, mode: Mode, depth: number, refs?: string[]): string {
    refs?.push(name);
    if (name === 'CURDIR') return ROOT + this.dir;
    if (name === 'MAKEFILE_LIST') return this.file.slice(this.file.lastIndexOf('/') + 1);
    const definition = this.definitions.get(name);
    this.budget--;
    if (definition === undefined || depth > 32 || this.budget < 0) return this.unknown(name, mode);
    if (definition.flavor === 'simple')
      return mode === 'shell' ? definition.shell : definition.value;
    return this.expand(definition.raw, mode, depth + 1, refs);
  }

  private unknown(name: string, mode: Mode): string {
    if (mode === 'value') return UNKNOWN;
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `\${${name}}` : '$(:)';
  }

  assign(assignment: Assignment): void {
    const { name, operator, raw } = assignment;
    const existing = this.definitions.get(name);
    switch (operator) {
      case '?=':
        if (existing === undefined) this.definitions.set(name, { flavor: 'recursive', raw });
        return;
      case '+=':
        if (existing === undefined) {
          this.definitions.set(name, { flavor: 'recursive', raw });
        } else if (existing.flavor === 'recursive') {
          this.definitions.set(name, { flavor: 'recursive', raw: `${existing.raw} ${raw}` });
        } else {
          this.definitions.set(name, {
            flavor: 'simple',
            shell: `${existing.shell} ${this.expand(raw, 'shell')}`,
            value: `${existing.value} ${this.expand(raw, 'value')}`,
          });
        }
        return;
      case '!=':
        this.definitions.set(name, { flavor: 'simple', shell: '$(:)', value: UNKNOWN });
        return;
      case '=':
        this.definitions.set(name, { flavor: 'recursive', raw });
        return;
      default:
        this.definitions.set(name, {
          flavor: 'simple',
          shell: this.expand(raw, 'shell'),
          value: this.expand(raw, 'value'),
        });
    }
  }
}

interface ParsedMakefile {
  assignments: Assignment[];
  recipes: Recipe[];
  oneShell: boolean;
}

function parseMakefile(text: string, expander: MakeExpander): ParsedMakefile {
  const lines = physicalLines(text);
  const assignments: Assignment[] = [];
  const recipes: Recipe[] = [];
  let rule: Recipe | null = null;
  let inDefine = false;
  let oneShell = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (inDefine) {
      if (/^\s*endef\b/.test(text.slice(line.start, line.end))) inDefine = false;
      continue;
    }
    let last = i;
    while (
      endsWithBackslash(text, lines[last]!.start, lines[last]!.end) &&
      last + 1 < lines.length
    ) {
      last++;
    }
    const end = lines[last]!.end;
    if (text[line.start] === '\t' && rule !== null) {
      let start = line.start + 1;
      while (start < end && /[@+\- \t]/.test(text[start]!)) start++;
      rule.lines.push({ start, end });
      i = last;
      continue;
    }
    const contentEnd = commentStart(text, line.start, end);
    const logical = text.slice(line.start, contentEnd).replace(/\\\r?\n[ \t]*/g, ' ');
    i = last;
    if (logical.trim() === '') continue;
    const indent = logical.length - logical.trimStart().length;
    const trimmed = logical.trim();
    if (/^define\b/.test(trimmed)) {
      inDefine = true;
      rule = null;
      continue;
    }
    const assignment = ASSIGNMENT.exec(trimmed);
    if (assignment) {
      const nameStart = line.start + indent + assignment[1]!.length;
      const raw = trimmed.slice(assignment[0].length).trim();
      const parsed: Assignment = {
        name: assignment[2]!,
        operator: assignment[3]!,
        raw,
        start: nameStart,
        end: trimEnd(text, nameStart, contentEnd),
      };
      if (parsed.operator === '!=') parsed.value = UNKNOWN;
      else if (parsed.operator.endsWith(':=')) parsed.value = expander.expand(raw, 'value');
      expander.assign(parsed);
      assignments.push(parsed);
      rule = null;
      continue;
    }
    if (/^\.ONESHELL\s*:/.test(trimmed)) oneShell = true;
    if (DIRECTIVE.test(trimmed)) {
      if (!/^(?:ifeq|ifneq|ifdef|ifndef|else|endif)\b/.test(trimmed)) rule = null;
      continue;
    }
    const colon = ruleColon(logical);
    if (colon === -1) {
      rule = null;
      continue;
    }
    const targets = logical.slice(0, colon).trim().split(/\s+/).filter(Boolean);
    const target = targets[0] ?? '';
    const expandedTarget = expander.expand(target, 'value');
    rule = { target: expandedTarget.includes(UNKNOWN) ? target : expandedTarget, lines: [] };
    recipes.push(rule);
    // `target: prerequisites ; recipe` — find the `;` in the raw text to keep offsets.
    const rawLine = text.slice(line.start, contentEnd);
    const semicolon = rawLine.indexOf(';', rawLine.indexOf(':') + 1);
    if (semicolon !== -1 && !/^[ \t]*$/.test(rawLine.slice(semicolon + 1))) {
      let start = line.start + semicolon + 1;
      while (start < contentEnd && /[@+\- \t]/.test(text[start]!)) start++;
      rule.lines.push({ start, end: contentEnd });
    }
  }
  return { assignments, recipes, oneShell };
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1]!)) e--;
  return e;
}

/** Recipe text with make's expansion done, remembering the raw span of every character. */
class ExpandedRecipe {
  text = '';
  readonly rawStart: number[] = [];
  readonly rawEnd: number[] = [];
  readonly refs: MakeRef[] = [];

  append(chars: string, start: number, end: number): void {
    this.text += chars;
    for (let k = 0; k < chars.length; k++) {
      this.rawStart.push(start);
      this.rawEnd.push(end);
    }
  }

  appendRaw(source: string, start: number, end: number, expander: MakeExpander): void {
    for (let i = start; i < end; i++) {
      const c = source[i]!;
      if (c !== '$' || i + 1 >= end) {
        this.append(c, i, i + 1);
        continue;
      }
      const n = source[i + 1]!;
      if (n === '$') {
        this.append('$', i, i + 2);
        i++;
        continue;
      }
      let refEnd = i + 2;
      let expansion: string;
      const names: string[] = [];
      if (n === '(' || n === '{') {
        const close = closingParen(source, i + 1, end);
        refEnd = close === -1 ? end : close + 1;
        expansion = expander.reference(source.slice(i + 2, refEnd - 1), 'shell', 0, names);
      } else {
        expansion = expander.variable(n, 'shell', 0, names);
      }
      const name = names[0];
      if (name !== undefined) this.refs.push({ name, start: i, end: refEnd });
      // An empty expansion still has to keep the words around it apart as make would.
      this.append(expansion === '' ? '' : expansion, i, refEnd);
      i = refEnd - 1;
    }
  }

  rawSpan(start: number, end: number): { start: number; end: number } | undefined {
    if (!(start >= 0 && end > start && end <= this.text.length)) return undefined;
    return { start: this.rawStart[start]!, end: this.rawEnd[end - 1]! };
  }
}

function directoryOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash === -1 ? '' : file.slice(0, slash);
}

/**
 * References in a Makefile: variables that name a venv or an interpreter (and
 * PYTHONPATH), and what recipes run, through the shared shell scanner after make's own
 * variable expansion. Recipes run in the Makefile's directory.
 */
export function detectMakefileReferences(
  content: string,
  file: string,
  _context: DetectContext,
): DetectResult | null {
  const dir = directoryOf(file);
  const expander = new MakeExpander(dir, file);
  const parsed = parseMakefile(content, expander);
  const lines = new LineIndex(content);
  const references: Reference[] = [];
  const venvVariables = new Map<string, EnvironmentRef>();
  const add = (
    start: number,
    end: number,
    consumer: string,
    finding: Omit<ShellFinding, 'start' | 'end'>,
  ) => {
    references.push(
      makeReference(content, lines, file, start, end, {
        kind: finding.kind,
        adapter: 'makefile',
        consumer,
        environment: finding.environment,
        ...(finding.skipReason === undefined ? {} : { skipReason: finding.skipReason }),
        ...(finding.meta === undefined ? {} : { meta: finding.meta }),
      }),
    );
  };

  for (const assignment of parsed.assignments) {
    const refs: string[] = [];
    const atEnd = expander.expand(assignment.raw, 'value', 0, refs);
    const value = assignment.value ?? atEnd;
    const consumer = `makefile ${file}`;
    if (assignment.name === 'PYTHONPATH') {
      const facts = pythonpathFacts(value, refs, dir);
      const meta: Record<string, string | boolean | string[]> = { paths: facts.paths };
      if (facts.appends) meta.appends = true;
      add(assignment.start, assignment.end, consumer, {
        kind: 'pythonpath',
        ...(facts.unresolved
          ? { environment: ENV_UNKNOWN, skipReason: 'contains-variable' }
          : { environment: ENV_PATH_PYTHON }),
        meta,
      });
      continue;
    }
    const env = classifyVariable(assignment.name, value, dir);
    if (env === undefined) continue;
    venvVariables.set(assignment.name, env);
    add(assignment.start, assignment.end, consumer, {
      kind: 'venv-variable',
      ...env,
      meta: { variable: assignment.name },
    });
  }

  for (const recipe of parsed.recipes) {
    const groups = parsed.oneShell ? [recipe.lines] : recipe.lines.map((line) => [line]);
    const consumer = `make target ${recipe.target}`;
    for (const group of groups) {
      if (group.length === 0) continue;
      const expanded = new ExpandedRecipe();
      for (const [k, line] of group.entries()) {
        if (k > 0) expanded.append('\n', line.start, line.start);
        expanded.appendRaw(content, line.start, line.end, expander);
      }
      const { findings } = scanShell(expanded.text, { cwd: dir });
      const covered: { start: number; end: number }[] = [];
      for (const finding of findings) {
        const span = expanded.rawSpan(finding.start, finding.end);
        if (span === undefined) continue;
        covered.push(span);
        const ref = expanded.refs.find((r) => r.start >= span.start && r.end <= span.end);
        const meta = { ...finding.meta };
        // The variable the Makefile spells, not what make expanded it to.
        if (ref !== undefined) meta.variable = ref.name;
        add(span.start, span.end, consumer, {
          ...finding,
          ...(Object.keys(meta).length > 0 ? { meta } : {}),
        });
      }
      for (const ref of expanded.refs) {
        const env = venvVariables.get(ref.name);
        if (env === undefined) continue;
        if (covered.some((span) => ref.start >= span.start && ref.end <= span.end)) continue;
        add(ref.start, ref.end, consumer, {
          kind: 'venv-variable',
          ...env,
          meta: { variable: ref.name, use: true },
        });
      }
    }
  }
  if (references.length === 0) return null;
  references.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { references };
}
