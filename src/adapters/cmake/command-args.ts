// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${NAME}.
import { scanShell } from '../../core/shell/index.js';
import { describePath, hasUnknown, lastSegment } from '../../core/shell/paths.js';
import type { Reference, ReferenceKind, Span } from '../types.js';
import { RUNNING_COMMANDS, type Section, section } from './commands.js';
import { type CMakeArgument, type CMakeCommand, decodeEscapes } from './parse.js';
import { type VariableReference, variableReferences } from './variables.js';

/**
 * How the cmake adapter reads the COMMAND lines of execute_process, add_custom_command,
 * add_custom_target and add_test: whose they are, where the program word is, the script
 * it runs, and the line as a shell would see it for the shared shell scanner.
 */

export type Meta = Record<string, string | number | boolean | string[]>;

export interface Site {
  consumer: string;
  meta: Meta;
}

export interface Expansion {
  value: string;
  /** Names of the `${…}` references (not nested, not ENV/CACHE). */
  variables: string[];
  /** Names of `$ENV{…}` references. */
  environment: string[];
}

/** What the shell scanner found on a COMMAND line, its span in the listfile. */
interface CommandFinding {
  kind: ReferenceKind;
  span: Span;
  environment: string;
  skipReason?: Reference['skipReason'];
  meta?: Meta;
}

/** Characters a shell word may hold unquoted without changing its meaning. */
const SHELL_PLAIN = /^[A-Za-z0-9_${}=/.\-:,@%+]+$/;

/** The outermost of nested variable references (`${A_${B}}` is one). */
export function topLevel(refs: VariableReference[]): VariableReference[] {
  const out: VariableReference[] = [];
  for (const ref of refs) {
    while (out.length > 0 && out[out.length - 1]!.start >= ref.start) out.pop();
    out.push(ref);
  }
  return out;
}

export function rawOf(text: string, arg: CMakeArgument): string {
  return text.slice(arg.valueStart, arg.valueEnd);
}

/** Outputs and DEPENDS name the same file with or without the current binary dir. */
export function normalizeOutput(value: string): string {
  return value.replace(/^\$\{CMAKE_CURRENT_BINARY_DIR\}\//, '').replace(/^\.\//, '');
}

/** Where a command stands, for every reference made in it. */
export function commandMeta(command: CMakeCommand): Meta {
  return { command: command.id, commandStart: command.start, commandEnd: command.end };
}

/**
 * Who runs a command's COMMAND lines: the target (add_custom_target, add_custom_command
 * TARGET or an OUTPUT a target depends on) or the test (add_test) it belongs to, else the
 * listfile itself.
 */
export function runningSite(
  command: CMakeCommand,
  sections: Section[],
  file: string,
  targetByOutput: ReadonlyMap<string, string>,
): Site {
  const meta = commandMeta(command);
  meta.phase = RUNNING_COMMANDS[command.id]!;
  let name: string | undefined;
  if (command.id === 'add_custom_target' || command.id === 'add_test') {
    name = section(sections, 'NAME')?.args[0]?.value;
  } else if (command.id === 'add_custom_command') {
    name = section(sections, 'TARGET')?.args[0]?.value;
    if (name === undefined) {
      for (const output of section(sections, 'OUTPUT')?.args ?? []) {
        name = targetByOutput.get(normalizeOutput(output.value));
        if (name !== undefined) break;
      }
      const outputs = section(sections, 'OUTPUT')?.args.map((a) => a.value) ?? [];
      if (outputs.length > 0) meta.outputs = outputs;
    }
  }
  const fileConsumer = `CMake ${file}`;
  if (name === undefined || name === '') return { consumer: fileConsumer, meta };
  if (command.id === 'add_test') {
    meta.test = name;
    return { consumer: name.includes('${') ? fileConsumer : `CMake test ${name}`, meta };
  }
  meta.target = name;
  return { consumer: name.includes('${') ? fileConsumer : `CMake target ${name}`, meta };
}

/** The program word of a COMMAND line, past `${CMAKE_COMMAND} -E env` and `env VAR=x`. */
export function programIndex(args: CMakeArgument[]): { shellFrom: number; program: number } {
  let from = 0;
  const first = args[0];
  if (
    first &&
    (first.value === '${CMAKE_COMMAND}' || lastSegment(first.value) === 'cmake') &&
    args[1]?.value === '-E' &&
    args[2]?.value === 'env'
  ) {
    from = 2;
  }
  let p = from;
  if (args[p] && args[p]!.kind !== 'bracket' && lastSegment(args[p]!.value) === 'env') {
    p++;
    while (p < args.length && /^(?:[A-Za-z_][A-Za-z0-9_]*=|-)/.test(args[p]!.value)) p++;
  }
  return { shellFrom: from, program: p };
}

/** Does a COMMAND line with a known interpreter hold anything else for the shell scanner? */
export function mayDoMore(text: string, args: CMakeArgument[], program: number): boolean {
  if (program > 0) return true;
  const rest = args.slice(1);
  if (rest.length === 0) return false;
  const line = text.slice(rest[0]!.start, rest[rest.length - 1]!.end);
  return /pip|venv|virtualenv|PYTHONPATH|PATH=|activate|\buv\b|python/i.test(line);
}

/** The script or module a python command line runs. */
export function scriptOf(
  text: string,
  args: CMakeArgument[],
  cwd: string,
  expand: (arg: CMakeArgument) => Expansion,
): Meta {
  for (let k = 0; k < args.length; k++) {
    const value = args[k]!.value;
    if (value === '-m') {
      const module = args[k + 1]?.value;
      return module === undefined ? {} : { module };
    }
    if (/^-m[A-Za-z_]/.test(value)) return { module: value.slice(2) };
    if (value === '-c' || value === '-') return {};
    if (value === '-X' || value === '-W') {
      k++;
      continue;
    }
    if (value.startsWith('-')) continue;
    const expansion = expand(args[k]!);
    return { script: describePath(expansion.value, rawOf(text, args[k]!), cwd) };
  }
  return {};
}

/**
 * Runs the shared shell scanner over a COMMAND line. Each argument becomes one shell
 * word (quoted when it holds characters a shell would read differently), and every
 * character remembers the span of the file it came from. The argument at `interpreter`,
 * known to run Python in ways a shell cannot see (`${Python3_EXECUTABLE}`,
 * `Python3::Interpreter`), is given to the scanner as `python`.
 */
export function shellFindings(
  text: string,
  args: CMakeArgument[],
  cwd: string,
  interpreter: number,
  variableValue: (ref: VariableReference) => string | undefined,
): CommandFinding[] {
  let shell = '';
  const rawStart: number[] = [];
  const rawEnd: number[] = [];
  const push = (chars: string, start: number, end: number) => {
    for (const ch of chars) {
      shell += ch;
      rawStart.push(start);
      rawEnd.push(end);
    }
  };
  const variables: Record<string, string> = {};
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (k === interpreter) {
      push('python', arg.valueStart, arg.valueEnd);
      push(' ', arg.end, arg.end);
      continue;
    }
    const decoded = decodeWithOffsets(text, arg);
    const plain = SHELL_PLAIN.test(decoded.value);
    if (!plain) push('"', arg.valueStart, arg.valueStart);
    for (let i = 0; i < decoded.value.length; i++) {
      const ch = decoded.value[i]!;
      if (!plain && (ch === '"' || ch === '\\' || ch === '`')) {
        push('\\', decoded.starts[i]!, decoded.starts[i]!);
      }
      push(ch, decoded.starts[i]!, decoded.ends[i]!);
    }
    if (!plain) push('"', arg.valueEnd, arg.valueEnd);
    push(' ', arg.end, arg.end);
    if (arg.kind === 'bracket') continue;
    for (const ref of topLevel(variableReferences(text, arg.valueStart, arg.valueEnd))) {
      const value = variableValue(ref);
      if (value !== undefined && !hasUnknown(value)) variables[ref.name] = value;
    }
  }
  const result = scanShell(shell, { cwd, variables });
  const out = [];
  for (const finding of result.findings) {
    if (finding.end <= finding.start || finding.end > shell.length) continue;
    const span = { start: rawStart[finding.start]!, end: rawEnd[finding.end - 1]! };
    if (span.end <= span.start) continue;
    const item: CommandFinding = { kind: finding.kind, span, environment: finding.environment };
    if (finding.skipReason !== undefined) item.skipReason = finding.skipReason;
    if (finding.meta !== undefined) item.meta = finding.meta;
    out.push(item);
  }
  return out;
}

/** An argument's value as CMake reads it, with each character's span in the file. */
function decodeWithOffsets(
  text: string,
  arg: CMakeArgument,
): {
  value: string;
  starts: number[];
  ends: number[];
} {
  const starts: number[] = [];
  const ends: number[] = [];
  let value = '';
  const emit = (chars: string, start: number, end: number) => {
    for (const ch of chars) {
      value += ch;
      starts.push(start);
      ends.push(end);
    }
  };
  let i = arg.valueStart;
  const end = arg.valueEnd;
  if (arg.kind === 'bracket' || arg.kind === 'paren') {
    for (; i < end; i++) emit(text[i]!, i, i + 1);
    return { value, starts, ends };
  }
  const quoted = arg.kind === 'quoted';
  while (i < end) {
    const ch = text[i]!;
    if (ch === '\r' && text[i + 1] === '\n') {
      emit('\n', i, i + 2);
      i += 2;
      continue;
    }
    if (ch !== '\\' || i + 1 >= end) {
      emit(ch, i, i + 1);
      i++;
      continue;
    }
    const pair = text.slice(i, i + 3);
    if (quoted && (pair.startsWith('\\\n') || pair === '\\\r\n')) {
      i += pair === '\\\r\n' ? 3 : 2;
      continue;
    }
    emit(decodeEscapes(text.slice(i, i + 2), quoted), i, i + 2);
    i += 2;
  }
  return { value, starts, ends };
}
