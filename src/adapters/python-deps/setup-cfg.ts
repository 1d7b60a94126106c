import { validSpecifier } from '../../core/pep508.js';
import { LineIndex } from '../reference.js';
import type { DetectContext, DetectResult } from '../types.js';
import { environmentReference } from './environments.js';
import { directoryOf, resolveFrom } from './paths.js';
import { redactCredentials } from './redact.js';
import { SourceBuilder } from './source.js';

/**
 * setup.cfg as setuptools reads it (configparser defaults, keys kept as written): a value
 * continues on every following line indented deeper than its key, comment lines (# or ;)
 * inside a value are skipped, and a one-line list is split on commas while a multi-line
 * list has one item per line.
 */

interface IniLine {
  text: string;
  line: number;
  /** Offset of `text` in the file. */
  start: number;
}

interface IniOption {
  key: string;
  line: number;
  /** The text after the delimiter, then each continuation line, trimmed. */
  lines: IniLine[];
}

interface IniSection {
  name: string;
  options: IniOption[];
}

function readIni(content: string, problem: (line: number, message: string) => void): IniSection[] {
  const sections: IniSection[] = [];
  let section: IniSection | undefined;
  let option: IniOption | undefined;
  let optionIndent = 0;
  let offset = 0;
  const physical = content.split('\n');
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i]!.replace(/\r$/, '');
    const lineStart = offset;
    offset += physical[i]!.length + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const indent = raw.length - raw.trimStart().length;
    const start = lineStart + indent;
    if (option && indent > optionIndent) {
      option.lines.push({ text: trimmed, line: i + 1, start });
      continue;
    }
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = { name: header[1]!.trim(), options: [] };
      sections.push(section);
      option = undefined;
      continue;
    }
    const assignment = /^(.*?)\s*([=:])\s*(.*)$/.exec(trimmed);
    if (!assignment || assignment[1] === '') {
      problem(
        i + 1,
        `'${redactCredentials(trimmed)}' is neither a [section], a key = value nor a continuation`,
      );
      option = undefined;
      continue;
    }
    if (!section) {
      problem(i + 1, `'${assignment[1]}' comes before any [section]`);
      continue;
    }
    const valueText = assignment[3]!;
    option = {
      key: assignment[1]!,
      line: i + 1,
      lines: [{ text: valueText, line: i + 1, start: start + trimmed.length - valueText.length }],
    };
    optionIndent = indent;
    section.options.push(option);
  }
  return sections;
}

function sameKey(a: string, b: string): boolean {
  return a.toLowerCase().replace(/-/g, '_') === b;
}

/** setuptools' list parsing, each item with the line it is on. */
function listItems(option: IniOption): IniLine[] {
  const [first, ...rest] = option.lines;
  const items: IniLine[] = [];
  if (rest.length === 0 && first) {
    for (const part of first.text.split(',')) {
      items.push({ text: part, line: first.line, start: first.start });
    }
  } else {
    items.push(...option.lines);
  }
  return items
    .map((item) => ({ ...item, text: item.text.replace(/(^|\s)#.*$/, '').trim() }))
    .filter((item) => item.text !== '');
}

export function detectSetupCfg(
  content: string,
  file: string,
  context: DetectContext,
): DetectResult | null {
  const builder = new SourceBuilder(file, 'setup.cfg', context);
  const sections = readIni(content, (line, message) => builder.problem(line, message));
  const dir = directoryOf(file);
  for (const section of sections) {
    const name = section.name.toLowerCase();
    for (const option of section.options) {
      if (name === 'metadata' && sameKey(option.key, 'name') && option.lines[0]!.text !== '') {
        builder.source.package = { name: option.lines[0]!.text, line: option.line };
      } else if (name === 'options' && sameKey(option.key, 'python_requires')) {
        const written = option.lines.map((l) => l.text).join('');
        const specifier = written.replace(/\s+/g, '');
        if (specifier !== '' && validSpecifier(specifier)) {
          builder.source.requiresPython = { specifier, line: option.line };
        } else {
          builder.problem(option.line, `python_requires '${written}' is not a PEP 440 specifier`);
        }
      } else if (name === 'options' && sameKey(option.key, 'install_requires')) {
        readRequirements(builder, option, dir, {});
      } else if (name === 'options.extras_require') {
        readRequirements(builder, option, dir, { extra: option.key });
      } else if (name === 'mypy' && sameKey(option.key, 'python_executable')) {
        const value = option.lines[0]!;
        if (value.text === '') continue;
        builder.references.push(
          environmentReference(
            content,
            file,
            { start: value.start, end: value.start + value.text.length },
            { interpreter: value.text, consumer: `mypy settings ${file}` },
            new LineIndex(content),
          ),
        );
      }
    }
  }
  return builder.result();
}

function readRequirements(
  builder: SourceBuilder,
  option: IniOption,
  dir: string,
  meta: Record<string, string>,
): void {
  const first = option.lines[0]!.text;
  if (first.startsWith('file:')) {
    // setuptools reads the listed files as requirement lists; the core resolves them.
    for (const written of first
      .slice(5)
      .split(',')
      .map((p) => p.trim())) {
      if (written === '') continue;
      builder.source.includes.push({
        kind: 'requirements',
        path: resolveFrom(dir, written),
        written,
        local: true,
        line: option.line,
      });
    }
    return;
  }
  for (const item of listItems(option)) {
    const clean = redactCredentials(item.text);
    builder.requirement(clean, item.line, clean === item.text ? meta : { ...meta, redacted: true });
  }
}
