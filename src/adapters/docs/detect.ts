import { MappedText } from '../shared/mapped-text.js';
import { basename } from '../shared/paths.js';
import { type ShellVariables, scanMappedShell } from '../shared/shell.js';
import { ReferenceSink } from '../shared/sink.js';
import {
  type DetectContext,
  type DetectResult,
  ENV_PATH_PYTHON,
  ENV_SYSTEM,
  type ReferenceKind,
} from '../types.js';

/**
 * Documentation that tells people to activate, create or call a venv. Only code is read:
 * fenced blocks and inline code in Markdown, code blocks and inline literals in
 * reStructuredText, and prose lines that start with a `$ ` prompt. The code goes through
 * the shared shell scanner; what it finds is reported as a `doc-mention`.
 */

type Meta = Record<string, string | number | boolean | string[]>;

/** Languages whose blocks hold shell commands; '' is a block without a language. */
const SHELL_LANGUAGES = new Set([
  '',
  'sh',
  'bash',
  'shell',
  'zsh',
  'ksh',
  'console',
  'shell-session',
  'shellsession',
  'sh-session',
  'terminal',
  'text',
  'none',
]);

/** Blocks that show a terminal session: only `$ ` lines are commands, the rest is output. */
const SESSION_LANGUAGES = new Set([
  'console',
  'shell-session',
  'shellsession',
  'sh-session',
  'terminal',
]);

/** Kinds worth a doc reference whatever their environment; the rest only for a venv. */
const ALWAYS_REPORTED = new Set<ReferenceKind>(['venv-create', 'venv-activate', 'pip-install']);

export function isDocFile(file: string): boolean {
  return /\.(?:md|markdown|mdx|rst)$/i.test(file);
}

/** README files document their own directory; other docs speak from the repository root. */
export function docDirectory(file: string): string {
  const slash = file.lastIndexOf('/');
  if (slash === -1 || !/^readme\./i.test(basename(file))) return '.';
  return file.slice(0, slash);
}

interface Line {
  start: number;
  /** End of the line's content, before '\r\n' or '\n'. */
  end: number;
  text: string;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    let end = newline === -1 ? text.length : newline;
    const next = newline === -1 ? text.length + 1 : newline + 1;
    if (end > start && text[end - 1] === '\r') end--;
    lines.push({ start, end, text: text.slice(start, end) });
    start = next;
  }
  return lines;
}

interface CodeChunk {
  /** Raw ranges of the file, one per command line. */
  ranges: Array<[number, number]>;
  block: 'fenced' | 'inline' | 'prompt' | 'literal';
  language: string;
}

class DocScan {
  private variables: ShellVariables = {};
  readonly sink: ReferenceSink;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.sink = new ReferenceSink(text, file, 'docs');
  }

  scanChunk(chunk: CodeChunk): void {
    const mapped = new MappedText();
    for (const [start, end] of chunk.ranges) {
      mapped.appendRaw(this.text, start, end);
      mapped.appendSynthetic('\n', end);
    }
    const { hits, variables } = scanMappedShell(mapped, {
      cwd: docDirectory(this.file),
      variables: this.variables,
    });
    // Later blocks of the same document often use what earlier ones set (`VENV=…`).
    this.variables = variables;
    for (const hit of hits) {
      const onPath = hit.environment === ENV_PATH_PYTHON || hit.environment === ENV_SYSTEM;
      if (!ALWAYS_REPORTED.has(hit.kind) && onPath) continue;
      const meta: Meta = { ...(hit.meta ?? {}), command: hit.kind, block: chunk.block };
      // Every mention is skipped as documentation; a venv outside the repository is kept
      // as the command's own reason, so adopt --docs leaves it (the shell rewriter reads
      // the other reasons from the command line itself).
      if (hit.skipReason === 'external-interpreter') meta.commandSkipReason = hit.skipReason;
      if (chunk.block === 'fenced' || chunk.block === 'literal') meta.language = chunk.language;
      this.sink.add(hit.span.start, hit.span.end, {
        kind: 'doc-mention',
        consumer: `doc ${this.file}`,
        environment: hit.environment,
        skipReason: 'documentation',
        meta,
      });
    }
  }
}

function languageOf(info: string): string {
  const word = info.trim().split(/\s+/)[0] ?? '';
  return word.replace(/^[{.]+|[}]+$/g, '').toLowerCase();
}

/** `$ cmd` → the offset of `cmd` in the line, or -1. */
function promptCommand(line: Line): number {
  const match = /^\s*(?:>\s*)?\$ (?=\S)/.exec(line.text);
  return match ? line.start + match[0].length : -1;
}

/** Inline code spans of a prose line: `code` or ``code`` (Markdown), ``code`` (rst). */
function inlineCode(line: Line, rst: boolean): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const text = line.text;
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '`') {
      i++;
      continue;
    }
    let run = 0;
    while (text[i + run] === '`') run++;
    if (rst && run !== 2) {
      i += run;
      continue;
    }
    const fence = '`'.repeat(run);
    let close = text.indexOf(fence, i + run);
    while (close !== -1 && text[close + run] === '`') close = text.indexOf(fence, close + run + 1);
    if (close === -1) {
      i += run;
      continue;
    }
    let from = i + run;
    let to = close;
    // One space on each side is padding (CommonMark), not part of the code.
    if (to - from >= 2 && text[from] === ' ' && text[to - 1] === ' ') {
      from++;
      to--;
    }
    if (to > from) spans.push([line.start + from, line.start + to]);
    i = close + run;
  }
  return spans;
}

function scanMarkdown(scan: DocScan, lines: Line[]): void {
  let i = 0;
  let inComment = false;
  while (i < lines.length) {
    const line = lines[i]!;
    if (inComment) {
      if (line.text.includes('-->')) inComment = false;
      i++;
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line.text);
    if (fence && !(fence[2]!.startsWith('`') && fence[3]!.includes('`'))) {
      const indent = fence[1]!.length;
      const marker = fence[2]!;
      const language = languageOf(fence[3]!);
      const body: Line[] = [];
      i++;
      while (i < lines.length) {
        const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[i]!.text);
        if (close && close[1]![0] === marker[0] && close[1]!.length >= marker.length) break;
        body.push(lines[i]!);
        i++;
      }
      i++;
      if (!SHELL_LANGUAGES.has(language)) continue;
      scanBlock(scan, body, indent, language, 'fenced');
      continue;
    }
    if (line.text.trimStart().startsWith('<!--') && !line.text.includes('-->')) {
      inComment = true;
      i++;
      continue;
    }
    scanProseLine(scan, line, false);
    i++;
  }
}

/** Runs a code block's lines through the scanner (only `$ ` lines of a session). */
function scanBlock(
  scan: DocScan,
  body: Line[],
  indent: number,
  language: string,
  block: 'fenced' | 'literal',
): void {
  const prompts = body.map(promptCommand);
  const session = SESSION_LANGUAGES.has(language) || prompts.some((at) => at !== -1);
  const ranges: Array<[number, number]> = [];
  body.forEach((line, index) => {
    if (session) {
      const at = prompts[index]!;
      if (at !== -1) ranges.push([at, line.end]);
      return;
    }
    let strip = 0;
    while (strip < indent && (line.text[strip] === ' ' || line.text[strip] === '\t')) strip++;
    ranges.push([line.start + strip, line.end]);
  });
  if (ranges.length > 0) scan.scanChunk({ ranges, block, language });
}

function scanProseLine(scan: DocScan, line: Line, rst: boolean): void {
  const prompt = promptCommand(line);
  if (prompt !== -1) {
    scan.scanChunk({ ranges: [[prompt, line.end]], block: 'prompt', language: '' });
    return;
  }
  for (const range of inlineCode(line, rst)) {
    scan.scanChunk({ ranges: [range], block: 'inline', language: '' });
  }
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

function scanRst(scan: DocScan, lines: Line[]): void {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const directive = /^\s*\.\.\s+(?:code-block|code|sourcecode)::\s*(\S*)/.exec(line.text);
    const literal = !directive && /::\s*$/.test(line.text) && !/^\s*\.\./.test(line.text);
    if (!directive && !literal) {
      if (!/^\s*\.\./.test(line.text)) scanProseLine(scan, line, true);
      i++;
      continue;
    }
    const language = directive ? languageOf(directive[1] ?? '') : '';
    const base = indentOf(line.text);
    i++;
    // Directive options (`:linenos:`) and blank lines come before the indented body.
    const body: Line[] = [];
    let bodyIndent = -1;
    while (i < lines.length) {
      const current = lines[i]!;
      if (current.text.trim() === '') {
        if (bodyIndent !== -1) body.push(current);
        i++;
        continue;
      }
      const indent = indentOf(current.text);
      if (indent <= base) break;
      if (bodyIndent === -1 && /^\s*:[\w-]+:/.test(current.text) && directive) {
        i++;
        continue;
      }
      if (bodyIndent === -1) bodyIndent = indent;
      body.push(current);
      i++;
    }
    if (body.length > 0 && SHELL_LANGUAGES.has(language)) {
      scanBlock(scan, body, bodyIndent, language, 'literal');
    }
  }
}

export function detectDocReferences(
  content: string,
  file: string,
  _context: DetectContext,
): DetectResult | null {
  // Most docs never mention Python: skip them before splitting lines.
  if (!/py|venv|pip|activate/i.test(content)) return null;
  const scan = new DocScan(content, file);
  const lines = splitLines(content);
  if (/\.rst$/i.test(file)) scanRst(scan, lines);
  else scanMarkdown(scan, lines);
  const references = scan.sink.references;
  return references.length === 0 ? null : { references };
}
