// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${NAME}.
import { lineRange } from '../../core/adopt/text.js';
import type {
  AdoptFacts,
  Edit,
  RewriteContext,
  RewriteResult,
  Rewriter,
  SkippedReference,
} from '../../core/adopt/types.js';
import type { ScanReference } from '../../core/scan/model.js';
import { inBinDir, isPythonName, lastSegment } from '../../core/shell/paths.js';
import { readFindPackage } from './commands.js';
import {
  type CMakeArgument,
  type CMakeCommand,
  type CMakeParseError,
  parseCMake,
} from './parse.js';
import { tokenizeCMake } from './tokenize.js';
import { variableReferences } from './variables.js';

/**
 * Moves a CMake listfile onto the project venv: every Python COMMAND runs
 * `${PROJECT_PYTHON}`, which the top-level CMakeLists.txt sets once. The readme says what
 * it rewrites, how, and what it leaves alone.
 */

const PROJECT_PYTHON = 'PROJECT_PYTHON';
const USE = '${PROJECT_PYTHON}';
const TOP_LEVEL = 'CMakeLists.txt';

const PACKAGES: Record<string, string> = {
  python3: 'Python3',
  python: 'Python',
  pythoninterp: 'PythonInterp',
  pythonlibs: 'PythonLibs',
  pybind11: 'pybind11',
  nanobind: 'nanobind',
};

/**
 * What each find_package reads to take a given interpreter. FindPython3/FindPython take
 * `<prefix>_EXECUTABLE` as an artifact (a plain variable, not only a cache entry);
 * pybind11 reads PYTHON_EXECUTABLE in its classic mode and Python_EXECUTABLE in its
 * FindPython mode; nanobind finds no Python of its own beyond FindPython's.
 */
const HINTS: Record<string, string[]> = {
  Python3: ['Python3_EXECUTABLE'],
  Python: ['Python_EXECUTABLE'],
  PythonInterp: ['PYTHON_EXECUTABLE'],
  PythonLibs: ['PYTHON_EXECUTABLE'],
  pybind11: ['PYTHON_EXECUTABLE', 'Python_EXECUTABLE'],
  nanobind: ['Python_EXECUTABLE'],
};

/** The interpreter result variables and the find_package calls that set them (as detect reads them). */
const INTERPRETER_VARIABLES: Record<string, string[]> = {
  Python3_EXECUTABLE: ['Python3'],
  Python_EXECUTABLE: ['Python'],
  PYTHON_EXECUTABLE: ['PythonInterp', 'PythonLibs', 'pybind11'],
};
const FOUND_PACKAGES: Record<string, string[]> = {
  Python3: ['Python3'],
  Python: ['Python'],
  PYTHON: ['PythonInterp', 'pybind11'],
  PythonInterp: ['PythonInterp', 'pybind11'],
  PYTHONINTERP: ['PythonInterp', 'pybind11'],
  PythonLibs: ['PythonLibs'],
  PYTHONLIBS: ['PythonLibs'],
};
const FOUND_VARIABLE = /^(Python3|Python|PYTHON|PythonInterp|PYTHONINTERP|PythonLibs|PYTHONLIBS)_/;
/** Found variables that say no more than "there is an interpreter": `EXISTS ${PROJECT_PYTHON}` says the same. */
const INTERPRETER_FOUND =
  /^(?:(?:Python3|Python)(?:_Interpreter)?|PYTHON|PythonInterp|PYTHONINTERP)_FOUND$|^Python3?::Interpreter$/;
/** Results of the interpreter finders other than the interpreter and found variables. */
const OTHER_RESULTS: Record<string, RegExp> = {
  Python3: /^Python3_(?!EXECUTABLE$|FOUND$|Interpreter_FOUND$|FIND_|ROOT_DIR$|ARTIFACTS_)\w+$/,
  Python: /^Python_(?!EXECUTABLE$|FOUND$|Interpreter_FOUND$|FIND_|ROOT_DIR$|ARTIFACTS_)\w+$/,
  PythonInterp: /^PYTHON_VERSION(?:_STRING|_MAJOR|_MINOR|_PATCH)?$/,
};
const IMPORTED_PREFIX: Record<string, string> = { Python3: 'Python3::', Python: 'Python::' };

const CONDITION_COMMANDS = new Set(['if', 'elseif', 'else', 'endif', 'while', 'endwhile']);
const BLOCK_OPEN = new Set(['if', 'foreach', 'while', 'function', 'macro', 'block']);
const BLOCK_CLOSE = new Set([
  'endif',
  'endforeach',
  'endwhile',
  'endfunction',
  'endmacro',
  'endblock',
]);

type Decision = 'drop' | 'hint' | 'keep' | 'skip';

interface PythonFind {
  command: CMakeCommand;
  package: string;
  decision: Decision;
  required: boolean;
  reference?: ScanReference;
}

interface Span {
  start: number;
  end: number;
}

export const rewriter: Rewriter = {
  // A subdirectory's listfile relies on the top-level one to set PROJECT_PYTHON.
  extraFiles: (facts) => (facts.references.some((r) => r.adapter === 'cmake') ? [TOP_LEVEL] : []),
  rewrite: (content, references, context) => new CMakeRewrite(content, references, context).run(),
};

function metaString(reference: ScanReference, key: string): string | undefined {
  const value = reference.meta?.[key];
  return typeof value === 'string' ? value : undefined;
}

function metaNumber(reference: ScanReference, key: string): number {
  const value = reference.meta?.[key];
  return typeof value === 'number' ? value : -1;
}

/** A CMake quoted argument holding `text` as it is. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** `name` as a whole identifier; 'g' for matchAll. */
function wordPattern(name: string, flags = ''): RegExp {
  // `set([venv x)` names a variable `[venv`: every character of a name is taken as written.
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, flags);
}

const SYNTAX_ERROR_REASON =
  'after a CMake syntax error: fix the file, then run onevenv adopt again';

class CMakeRewrite {
  private readonly commands: CMakeCommand[];
  private readonly errors: CMakeParseError[];
  private readonly finds: PythonFind[] = [];
  private readonly edits: Edit[] = [];
  private readonly skipped: SkippedReference[] = [];
  private readonly notes: string[] = [];
  /** References this rewrite changes (so their variables' definitions may go). */
  private readonly handled = new Set<ScanReference>();
  /** Uses of a variable that stay as written (its definition must stay too). */
  private readonly keptUses = new Set<string>();
  private readonly sourceVenv: string;
  private readonly sourceInterpreter: string;

  constructor(
    private readonly text: string,
    private readonly references: ScanReference[],
    private readonly context: RewriteContext,
  ) {
    const parsed = parseCMake(text);
    this.commands = parsed.commands;
    this.errors = parsed.errors;
    this.sourceVenv = `\${CMAKE_SOURCE_DIR}/${context.unifiedVenv}`;
    this.sourceInterpreter = `\${CMAKE_SOURCE_DIR}/${context.interpreter}`;
  }

  run(): RewriteResult {
    const pending: ScanReference[] = [];
    for (const reference of this.references) {
      if (reference.unified) continue;
      const reason = this.skipReasonOf(reference);
      if (reason === undefined) pending.push(reference);
      else this.skipped.push({ reference, reason });
    }
    this.decideFinds();
    const definitions: ScanReference[] = [];
    const pythonpaths: ScanReference[] = [];
    for (const reference of pending) {
      switch (reference.kind) {
        case 'find-package':
          this.rewriteFind(reference);
          break;
        case 'python-found-condition':
          this.rewriteFoundCondition(reference);
          break;
        case 'interpreter-variable':
          this.rewriteInterpreterVariable(reference);
          break;
        case 'python-command':
          this.rewriteCommand(reference);
          break;
        case 'interpreter-path':
          this.rewritePath(reference);
          break;
        case 'venv-variable':
          if (reference.meta?.definition === true) definitions.push(reference);
          else this.rewriteUse(reference);
          break;
        case 'pythonpath':
          pythonpaths.push(reference);
          break;
        default:
          this.skip(
            reference,
            'onevenv has no CMake rewrite for this: move it to python/.venv by hand',
          );
      }
    }
    for (const reference of definitions) this.rewriteDefinition(reference, definitions);
    // PYTHONPATH on a COMMAND line goes to that line's interpreter: moved with it.
    for (const reference of pythonpaths) {
      const clause = metaNumber(reference, 'clauseStart');
      const moved = [...this.handled].some(
        (r) => r.kind === 'python-command' && metaNumber(r, 'clauseStart') === clause,
      );
      if (!moved) {
        this.skip(reference, 'PYTHONPATH for an interpreter onevenv does not move: set it by hand');
      }
    }
    this.defineProjectPython();
    if (this.edits.length > 0) this.noteStaleComments();
    if (this.errors.length > 0 && this.edits.length > 0) {
      // CMake refuses the whole file at its first syntax error, and what this parser reads
      // past it is a guess that an edit can change (`find_package(…)d(…)` loses the
      // command that made `d(` an error): the file stays as it is until it is fixed.
      const skipped = new Set(this.skipped.map((entry) => entry.reference));
      const line = this.text.slice(0, this.errors[0]!.offset).split('\n').length;
      for (const reference of this.references) {
        if (!reference.unified && !skipped.has(reference)) {
          this.skip(
            reference,
            `the file has a CMake syntax error (line ${line}): fix it, then run onevenv adopt again`,
          );
        }
      }
      return { edits: [], skipped: this.skipped, notes: [] };
    }
    return { edits: this.sortedEdits(), skipped: this.skipped, notes: this.notes };
  }

  // ── Skips ───────────────────────────────────────────────────────────────────────

  private skipReasonOf(reference: ScanReference): string | undefined {
    if (this.setAbove(reference)) return undefined;
    switch (reference.skipReason) {
      case 'contains-variable':
        return `${reference.text} is built from a variable onevenv cannot resolve in this file: point it at ${this.context.interpreter} by hand`;
      case 'external-interpreter':
        return `${reference.text} is outside the repository: left as it is`;
      case 'parse-error':
        return SYNTAX_ERROR_REASON;
      case 'unsupported':
      case 'documentation':
        return 'onevenv has no CMake rewrite for this: move it to python/.venv by hand';
      default:
        break;
    }
    switch (reference.kind) {
      case 'venv-create':
        return `creates a venv while building: ${this.context.setupScript} makes ${this.context.unifiedVenv}; remove this COMMAND`;
      case 'pip-install':
        return `installs packages while building: declare them in ${this.context.configFile} and remove this COMMAND`;
      case 'venv-activate':
        return `activates another venv: run ${USE} instead`;
      default:
        return undefined;
    }
  }

  /**
   * A COMMAND running `${VAR}` where VAR comes from a CMakeLists.txt above this one (a
   * subdirectory sees its parents' variables), set there to an interpreter this adoption
   * moves: detection reads one file at a time and cannot tell, the other files' findings can.
   */
  private setAbove(reference: ScanReference): boolean {
    if (reference.skipReason !== 'contains-variable' || reference.kind !== 'python-command') {
      return false;
    }
    const variable = metaString(reference, 'variable');
    if (variable === undefined || reference.text !== `\${${variable}}`) return false;
    const dir = this.context.file.includes('/')
      ? this.context.file.slice(0, this.context.file.lastIndexOf('/') + 1)
      : '';
    const definitions = this.context.references.filter(
      (r) =>
        r.adapter === 'cmake' &&
        r.kind === 'venv-variable' &&
        r.meta?.definition === true &&
        metaString(r, 'variable') === variable &&
        r.file.endsWith('CMakeLists.txt') &&
        r.file !== this.context.file &&
        dir.startsWith(r.file.slice(0, -'CMakeLists.txt'.length)),
    );
    return (
      definitions.length > 0 &&
      definitions.every((r) => r.meta?.role === 'interpreter' && r.skipReason === undefined)
    );
  }

  private skip(reference: ScanReference, reason: string): void {
    this.skipped.push({ reference, reason });
  }

  // ── find_package ───────────────────────────────────────────────────────────────

  /**
   * Each find_package of a Python is dropped (it only found an interpreter, and
   * PROJECT_PYTHON is that now), pointed at the venv (it builds or links against Python,
   * so the venv's ABI must win), kept (already on the venv), or left alone (skipped).
   */
  private decideFinds(): void {
    for (const command of this.commands) {
      if (command.id !== 'find_package') continue;
      const call = readFindPackage(command);
      const name = call && PACKAGES[call.package.toLowerCase()];
      if (!call || !name) continue;
      const reference = this.references.find(
        (r) => r.kind === 'find-package' && metaNumber(r, 'commandStart') === command.start,
      );
      let decision: Decision = 'keep';
      if (reference && !reference.unified) {
        if (this.skipped.some((s) => s.reference === reference)) decision = 'skip';
        else if (reference.meta?.interpreterOnly === true && !this.resultsUsed(name, command)) {
          decision = 'drop';
        } else decision = 'hint';
      }
      const find: PythonFind = { command, package: name, decision, required: call.required };
      if (reference) find.reference = reference;
      this.finds.push(find);
    }
  }

  /**
   * Does the file use what find_package found beyond the interpreter and whether it was
   * found (a version, site dirs, imported targets, a found flag as a value)? Then it stays.
   */
  private resultsUsed(name: string, find: CMakeCommand): boolean {
    const other = OTHER_RESULTS[name];
    const imported = IMPORTED_PREFIX[name];
    const pending = this.references.filter(
      (r) => !r.unified && !this.skipped.some((s) => s.reference === r),
    );
    for (const command of this.commands) {
      if (command.start < find.end) continue;
      const condition = CONDITION_COMMANDS.has(command.id);
      for (const arg of command.arguments) {
        if (arg.kind === 'paren') continue;
        if (arg.kind !== 'bracket') {
          for (const ref of variableReferences(this.text, arg.valueStart, arg.valueEnd)) {
            if (ref.namespace !== '' || ref.nested) continue;
            if (other?.test(ref.name)) return true;
            if (!condition && foundPackages(ref.name).includes(name)) return true;
          }
        }
        if (condition && arg.kind === 'unquoted' && other?.test(arg.value)) return true;
        if (imported && this.text.slice(arg.start, arg.end).includes(imported)) {
          const rewritten = pending.some((r) => r.span.start >= arg.start && r.span.end <= arg.end);
          if (!rewritten) return true;
        }
      }
    }
    // What is left as it is must keep working.
    const prefix = name === 'PythonInterp' ? 'PYTHON' : `${name}_`;
    return this.skipped.some(
      (s) => s.reference.text.includes(prefix) || (imported && s.reference.text.includes(imported)),
    );
  }

  /** The find_package that detect says set `packages`' results at `at`. */
  private findBefore(packages: readonly string[], at: number): PythonFind | undefined {
    let found: PythonFind | undefined;
    for (const find of this.finds) {
      if (find.command.start < at && packages.includes(find.package)) found = find;
    }
    return found;
  }

  private rewriteFind(reference: ScanReference): void {
    const find = this.finds.find((f) => f.reference === reference);
    if (!find) return;
    const command = find.command;
    const label = `find_package(${metaString(reference, 'package') ?? find.package})`;
    if (find.decision === 'drop') {
      if (!find.required) {
        this.edits.push({
          ...this.commandLines(command),
          replacement: '',
          reason: `${label} removed: ${USE} is the interpreter`,
        });
        return;
      }
      // REQUIRED: configuring still stops without an interpreter, with the fix in the message.
      const range = this.commandLines(command);
      const indent = this.indentOf(command.start);
      this.edits.push({
        ...range,
        replacement: [
          `${indent}if(NOT EXISTS ${USE})`,
          `${indent}  message(FATAL_ERROR ${quoted(this.missingMessage())})`,
          `${indent}endif()`,
          '',
        ].join('\n'),
        reason: `${label} REQUIRED → stop when ${this.context.unifiedVenv} is missing`,
      });
      return;
    }
    if (find.decision !== 'hint') return;
    if (find.package === 'PythonLibs') {
      this.notes.push(
        `line ${reference.line}: FindPythonLibs does not ask an interpreter; find_package(Python3 COMPONENTS Development) builds for ${this.context.unifiedVenv}`,
      );
    }
    if (!this.needsHint(find, reference)) return;
    const indent = this.indentOf(command.start);
    const lines = HINTS[find.package]!.map((variable) => `${indent}set(${variable} ${USE})\n`);
    const at = this.lineStart(command.start);
    this.edits.push({
      start: at,
      end: at,
      replacement: lines.join(''),
      reason: `${label} builds for ${this.context.unifiedVenv}: ${HINTS[find.package]!.join(', ')} set to ${USE}`,
    });
  }

  /** A kept find_package gets its interpreter set just before it, unless something here already does. */
  private needsHint(find: PythonFind, reference: ScanReference): boolean {
    const hint = metaString(reference, 'hint');
    if (hint !== undefined) {
      // The hint set before it is rewritten to the venv (its definition is one of ours).
      const definition = this.references.find(
        (r) =>
          r.kind === 'venv-variable' &&
          r.meta?.definition === true &&
          metaString(r, 'variable') === hint &&
          r.span.start < find.command.start &&
          !r.unified &&
          !this.skipped.some((s) => s.reference === r),
      );
      if (definition) return false;
    }
    if (find.package === 'pybind11' || find.package === 'nanobind') {
      // Both reuse the Python a find_package before them found; that one gets the hint.
      const earlier = this.findBefore(['Python3', 'Python', 'PythonInterp'], find.command.start);
      if (earlier && earlier.decision !== 'drop') return false;
    }
    return true;
  }

  // ── Conditions and interpreter variables ───────────────────────────────────────

  private rewriteFoundCondition(reference: ScanReference): void {
    const variable = metaString(reference, 'variable') ?? reference.text.replace(/^\$\{|\}$/g, '');
    const find = this.findBefore(foundPackages(variable), reference.span.start);
    // Under a kept find_package the flag is the venv's: it stays.
    if (find && (find.decision === 'hint' || find.decision === 'keep')) return;
    const command = metaString(reference, 'command') ?? '';
    if (!CONDITION_COMMANDS.has(command) || !INTERPRETER_FOUND.test(variable)) {
      this.skip(
        reference,
        `${reference.text} has no PROJECT_PYTHON equivalent: test EXISTS ${USE} instead`,
      );
      return;
    }
    let start = reference.span.start;
    if (variable.includes('::')) {
      // `TARGET Python3::Interpreter`: the test goes with its keyword.
      const keyword = this.argumentBefore(reference);
      if (keyword?.kind === 'unquoted' && keyword.value === 'TARGET') start = keyword.start;
    }
    const written = this.text.slice(start, reference.span.end);
    this.replace(
      reference,
      start,
      reference.span.end,
      `EXISTS ${USE}`,
      `${written} → EXISTS ${USE}`,
    );
    const condition = metaString(reference, 'condition');
    if (command === 'if' && (condition === variable || condition === `TARGET ${variable}`)) {
      this.warnInElse(reference);
    }
  }

  /** The block's else() says what to run when the venv is missing. */
  private warnInElse(reference: ScanReference): void {
    const elseStart = metaNumber(reference, 'elseStart');
    const endifStart = metaNumber(reference, 'endifStart');
    if (endifStart < 0) return;
    const ifStart = metaNumber(reference, 'commandStart');
    const ifIndent = this.indentOf(ifStart);
    const body = this.bodyIndent(metaNumber(reference, 'commandEnd'), endifStart, ifIndent);
    const message = `${body}message(WARNING ${quoted(this.missingMessage())})\n`;
    const reason = `else(): say to run ${this.context.setupScript} when ${this.context.unifiedVenv} is missing`;
    if (elseStart >= 0) {
      const elseCommand = this.commands.find((c) => c.start === elseStart);
      const at = this.lineEnd(elseCommand ? elseCommand.end : elseStart);
      this.edits.push({ start: at, end: at, replacement: message, reason });
      return;
    }
    const at = this.lineStart(endifStart);
    this.edits.push({ start: at, end: at, replacement: `${ifIndent}else()\n${message}`, reason });
  }

  private rewriteInterpreterVariable(reference: ScanReference): void {
    const variable = metaString(reference, 'variable') ?? '';
    // Set in this file: the definition is rewritten, and this use follows it.
    if (this.definitionBefore(variable, reference.span.start)) return;
    const find = this.findBefore(INTERPRETER_VARIABLES[variable] ?? [], reference.span.start);
    if (find && (find.decision === 'hint' || find.decision === 'keep')) return;
    if (this.insidePath(reference)) {
      // `/${Python_EXECUTABLE}`, `scripts/t.${Python3_EXECUTABLE}`: the interpreter's path
      // is part of another path, which ${PROJECT_PYTHON} would not name either.
      this.skip(
        reference,
        `${reference.text} is part of a longer path: point it at ${this.context.interpreter} by hand`,
      );
      return;
    }
    this.replaceVariable(reference);
  }

  /** The shell word holding a `${VAR}` use has a directory before it (an option `--x=` is fine). */
  private insidePath(reference: ScanReference): boolean {
    if (!reference.text.startsWith('${')) return false;
    const arg = this.argumentAround(reference.span);
    if (!arg) return false;
    const before = this.text.slice(arg.valueStart, reference.span.start);
    const word = before.split(/[\s"'`;|&()<>]/).pop() ?? '';
    return /[/\\$]/.test(word);
  }

  // ── COMMANDs, paths and venv variables ─────────────────────────────────────────

  private rewriteCommand(reference: ScanReference): void {
    // PROJECT_PYTHON set here to another venv: its definition is what changes.
    if (reference.text === USE) return;
    const arg = this.argumentAround(reference.span);
    if (arg?.kind === 'bracket') {
      this.skip(
        reference,
        'inside a bracket argument, which CMake passes on unexpanded: edit it by hand',
      );
      return;
    }
    if (reference.meta?.interpreter !== undefined || isPythonName(lastSegment(reference.text))) {
      this.replace(
        reference,
        reference.span.start,
        reference.span.end,
        USE,
        `${reference.text} → ${USE}`,
      );
      return;
    }
    if (inBinDir(reference.text)) {
      // A tool the venv installs (pytest, …): the same tool from the project venv.
      const tool = `${this.sourceVenv}/bin/${lastSegment(reference.text)}`;
      this.replace(
        reference,
        reference.span.start,
        reference.span.end,
        tool,
        `${reference.text} → ${tool}`,
      );
      return;
    }
    this.skip(
      reference,
      `onevenv cannot tell which program ${reference.text} is: move it to python/.venv by hand`,
    );
  }

  private rewritePath(reference: ScanReference): void {
    const replacement = reference.meta?.pathKind === 'venv' ? this.sourceVenv : USE;
    this.replace(
      reference,
      reference.span.start,
      reference.span.end,
      replacement,
      `${reference.text} → ${replacement}`,
    );
  }

  private rewriteUse(reference: ScanReference): void {
    const variable = metaString(reference, 'variable') ?? '';
    // PROJECT_PYTHON set here to another venv: its definition is what changes.
    if (variable === PROJECT_PYTHON) return;
    if (reference.meta?.interpreterPath === true) {
      this.replace(
        reference,
        reference.span.start,
        reference.span.end,
        USE,
        `${reference.text} → ${USE}`,
      );
      return;
    }
    const definition =
      this.definitionBefore(variable, reference.span.start) ??
      this.definitionBefore(variable, Infinity);
    if (definition?.meta?.role === 'interpreter') {
      this.replaceVariable(reference);
      return;
    }
    if (definition) {
      // A venv directory: its definition now names python/.venv, and this use follows it.
      this.keptUses.add(variable);
      return;
    }
    this.skip(
      reference,
      `onevenv cannot tell where ${reference.text} is set: point it at ${this.context.unifiedVenv} by hand`,
    );
  }

  /**
   * A venv or interpreter variable set in this file. When every use now runs
   * PROJECT_PYTHON and nothing else names it, the definition goes; otherwise it stays as
   * an alias of the venv, so whatever still reads it gets the venv too.
   */
  private rewriteDefinition(reference: ScanReference, definitions: ScanReference[]): void {
    const variable = metaString(reference, 'variable') ?? '';
    const command = this.commands.find((c) => c.start === metaNumber(reference, 'commandStart'));
    if (!command) return;
    const venvValued =
      reference.meta?.role === 'venv' ||
      (reference.meta?.hint === true && variable.endsWith('_ROOT_DIR'));
    if (variable === PROJECT_PYTHON) {
      this.setValue(
        reference,
        command,
        this.sourceInterpreter,
        `${PROJECT_PYTHON} → ${this.context.interpreter}`,
      );
      return;
    }
    if (reference.meta?.hint !== true && this.removable(variable, command, definitions)) {
      this.handled.add(reference);
      this.edits.push({
        ...this.commandLines(command),
        replacement: '',
        reason: `${command.id}(${variable}) removed: its uses run ${USE}`,
      });
      return;
    }
    const value = venvValued ? this.sourceVenv : USE;
    this.setValue(reference, command, value, `${variable} → ${value}`);
  }

  private setValue(
    reference: ScanReference,
    command: CMakeCommand,
    value: string,
    reason: string,
  ): void {
    if (command.id !== 'set') {
      // find_program(VAR NAMES python3 …): the variable is the venv's interpreter now.
      const variable = metaString(reference, 'variable') ?? '';
      this.replace(reference, command.start, command.end, `set(${variable} ${value})`, reason);
      return;
    }
    const arg = this.argumentAround(reference.span);
    // A bracket argument is never expanded: the value becomes a plain argument.
    if (arg?.kind === 'bracket') this.replace(reference, arg.start, arg.end, value, reason);
    else this.replace(reference, reference.span.start, reference.span.end, value, reason);
  }

  private removable(
    variable: string,
    command: CMakeCommand,
    definitions: ScanReference[],
  ): boolean {
    if (this.keptUses.has(variable)) return false;
    if (definitions.filter((d) => metaString(d, 'variable') === variable).length !== 1)
      return false;
    if (command.arguments.some((a) => a.kind === 'unquoted' && a.value === 'PARENT_SCOPE')) {
      return false;
    }
    // Set here, read in another listfile: it has to stay.
    const elsewhere = this.context.references.some(
      (r) =>
        r.adapter === 'cmake' &&
        r.file !== this.context.file &&
        metaString(r, 'variable') === variable,
    );
    if (elsewhere) return false;
    // Every mention of the name must be a use this rewrite replaces.
    const replaced = this.edits.filter((e) =>
      [...this.handled].some(
        (r) =>
          metaString(r, 'variable') === variable && e.start <= r.span.start && r.span.end <= e.end,
      ),
    );
    const pattern = wordPattern(variable, 'g');
    for (const other of this.commands) {
      if (other === command) continue;
      for (const arg of other.arguments) {
        if (arg.kind === 'paren') continue;
        const raw = this.text.slice(arg.start, arg.end);
        for (const match of raw.matchAll(pattern)) {
          const at = arg.start + match.index;
          if (!replaced.some((e) => e.start <= at && at < e.end)) return false;
        }
      }
    }
    return true;
  }

  /** The last definition of `variable` in this file before `at` that this rewrite moves. */
  private definitionBefore(variable: string, at: number): ScanReference | undefined {
    let found: ScanReference | undefined;
    for (const r of this.references) {
      if (r.kind !== 'venv-variable' || r.meta?.definition !== true) continue;
      if (metaString(r, 'variable') !== variable || r.span.start >= at) continue;
      if (r.unified || this.skipped.some((s) => s.reference === r)) continue;
      found = r;
    }
    return found;
  }

  private replaceVariable(reference: ScanReference): void {
    // `${VAR}` becomes `${PROJECT_PYTHON}`; a bare name (`if(VAR)`, `DEFINED VAR`) the bare name.
    const replacement = reference.text.startsWith('${') ? USE : PROJECT_PYTHON;
    this.replace(
      reference,
      reference.span.start,
      reference.span.end,
      replacement,
      `${reference.text} → ${replacement}`,
    );
  }

  private replace(
    reference: ScanReference,
    start: number,
    end: number,
    replacement: string,
    reason: string,
  ): void {
    this.handled.add(reference);
    this.edits.push({ start, end, replacement, reason });
  }

  // ── PROJECT_PYTHON in the top-level CMakeLists.txt ──────────────────────────────

  /**
   * `set(PROJECT_PYTHON …)` once, in the top-level CMakeLists.txt: after project() and
   * before the first command that uses it or brings in a listfile that may.
   */
  private defineProjectPython(): void {
    if (this.context.file !== TOP_LEVEL) return;
    const definition = `set(${PROJECT_PYTHON} ${this.sourceInterpreter})`;
    const othersNeed = needsProjectPython(this.context);
    if (!this.context.exists) {
      if (othersNeed) {
        this.notes.push(
          `no ${TOP_LEVEL} at the repository root: add ${definition} to the top-level CMakeLists.txt, before its add_subdirectory() calls`,
        );
      }
      return;
    }
    const defines = this.commands.some(
      (c) =>
        (c.id === 'set' || c.id === 'find_program') && c.arguments[0]?.value === PROJECT_PYTHON,
    );
    if (defines) return;
    const uses: number[] = this.edits
      .filter((e) => e.replacement.includes(PROJECT_PYTHON))
      .map((e) => e.start);
    const pattern = wordPattern(PROJECT_PYTHON);
    for (const command of this.commands) {
      if (command.arguments.some((a) => pattern.test(this.text.slice(a.start, a.end)))) {
        uses.push(command.start);
      }
    }
    if (uses.length === 0 && !othersNeed) return;
    for (const command of this.commands) {
      if (command.id === 'add_subdirectory' || command.id === 'include') uses.push(command.start);
    }
    const project = this.commands.find((c) => c.id === 'project');
    const minimum = this.commands.find((c) => c.id === 'cmake_minimum_required');
    let at: number;
    if (project) at = this.lineEnd(project.end);
    else if (minimum) at = this.lineEnd(minimum.end);
    else at = this.commands[0] ? this.lineStart(this.commands[0].start) : this.text.length;
    for (const use of uses) at = Math.min(at, this.lineStart(this.outermostStart(use)));
    // Not inside a removal: a last line without a line ending goes with the newline before it.
    for (const edit of this.edits) if (edit.start < at && at < edit.end) at = edit.start;
    const block = `# Every Python target runs the project venv (${this.context.setupScript} creates it).\n${definition}\n`;
    const before = at === 0 || this.blankLineBefore(at) ? '' : '\n';
    const after = this.blankLineAt(at) ? '' : '\n';
    this.edits.unshift({
      start: at,
      end: at,
      replacement: `${before}${block}${after}`,
      reason: `${PROJECT_PYTHON} set to ${this.context.interpreter}`,
    });
  }

  /** The start of the top-level command (outside any block) that holds or follows `at`. */
  private outermostStart(at: number): number {
    const open: CMakeCommand[] = [];
    for (const command of this.commands) {
      if (command.end > at) return (open[0] ?? command).start;
      if (BLOCK_OPEN.has(command.id)) open.push(command);
      else if (BLOCK_CLOSE.has(command.id)) open.pop();
    }
    return this.text.length;
  }

  // ── Notes ──────────────────────────────────────────────────────────────────────

  private noteStaleComments(): void {
    const venvs = this.context.replacedVenvs;
    if (venvs.length === 0) return;
    const lines = new Set<number>();
    for (const token of tokenizeCMake(this.text)) {
      if (token.type !== 'line-comment' && token.type !== 'bracket-comment') continue;
      const comment = this.text.slice(token.start, token.end);
      if (venvs.some((venv) => comment.includes(venv))) lines.add(this.lineOf(token.start));
    }
    for (const line of lines) {
      this.notes.push(`line ${line}: a comment still names the old venv; update it by hand`);
    }
  }

  // ── Text helpers ───────────────────────────────────────────────────────────────

  private missingMessage(): string {
    return `${this.context.unifiedVenv} is missing: run ${this.context.setupScript}`;
  }

  private sortedEdits(): Edit[] {
    // Inserts go before a replacement that starts at the same offset; ties keep their order.
    return this.edits
      .map((edit, index) => ({ edit, index }))
      .sort(
        (a, b) =>
          a.edit.start - b.edit.start ||
          Number(a.edit.end > a.edit.start) - Number(b.edit.end > b.edit.start) ||
          a.index - b.index,
      )
      .map((e) => e.edit);
  }

  /** The command's whole lines, when nothing but blanks (and a comment) shares them; else the command. */
  private commandLines(command: CMakeCommand): Span {
    const lineStart = this.lineStart(command.start);
    const lineEnd = this.text.indexOf('\n', command.end);
    const rest = this.text.slice(command.end, lineEnd === -1 ? this.text.length : lineEnd);
    const alone =
      /^[ \t]*$/.test(this.text.slice(lineStart, command.start)) &&
      /^[ \t]*(?:#.*)?\r?$/.test(rest);
    if (!alone) return { start: command.start, end: command.end };
    const first = lineRange(this.text, command.start);
    const last = lineRange(this.text, command.end);
    return { start: Math.min(first.start, last.start), end: last.end };
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The offset just past the line ending of the line holding `offset`. */
  private lineEnd(offset: number): number {
    const newline = this.text.indexOf('\n', offset);
    return newline === -1 ? this.text.length : newline + 1;
  }

  private lineOf(offset: number): number {
    let line = 1;
    for (
      let i = this.text.indexOf('\n');
      i !== -1 && i < offset;
      i = this.text.indexOf('\n', i + 1)
    ) {
      line++;
    }
    return line;
  }

  private indentOf(offset: number): string {
    return /^[ \t]*/.exec(this.text.slice(this.lineStart(offset)))![0];
  }

  /** Indentation of a block's body: its first line's, else one step deeper than the opener. */
  private bodyIndent(from: number, to: number, outer: string): string {
    const body = this.text.slice(this.lineEnd(from), to);
    for (const line of body.split('\n')) {
      if (/^[ \t]*\r?$/.test(line)) continue;
      const indent = /^[ \t]*/.exec(line)![0];
      return indent.length > outer.length ? indent : `${outer}  `;
    }
    return `${outer}  `;
  }

  private blankLineAt(offset: number): boolean {
    const end = this.text.indexOf('\n', offset);
    return /^[ \t\r]*$/.test(this.text.slice(offset, end === -1 ? this.text.length : end));
  }

  private blankLineBefore(offset: number): boolean {
    const start = this.text.lastIndexOf('\n', offset - 2) + 1;
    return /^[ \t\r]*$/.test(this.text.slice(start, offset - 1));
  }

  private argumentAround(span: Span): CMakeArgument | undefined {
    for (const command of this.commands) {
      if (command.end < span.start || command.start > span.end) continue;
      return command.arguments.find((a) => a.start <= span.start && span.end <= a.end);
    }
    return undefined;
  }

  private argumentBefore(reference: ScanReference): CMakeArgument | undefined {
    const command = this.commands.find((c) => c.start === metaNumber(reference, 'commandStart'));
    if (!command) return undefined;
    const index = command.arguments.findIndex(
      (a) => a.start <= reference.span.start && reference.span.end <= a.end,
    );
    return index > 0 ? command.arguments[index - 1] : undefined;
  }
}

/** The find_package calls whose found flag `variable` is ('Python3_FOUND', 'Python3::Interpreter'). */
function foundPackages(variable: string): string[] {
  if (variable.includes('::')) return [variable.slice(0, variable.indexOf('::'))];
  if (!variable.endsWith('_FOUND')) return [];
  return FOUND_PACKAGES[FOUND_VARIABLE.exec(variable)?.[1] ?? ''] ?? [];
}

/**
 * Does any other listfile rely on the top-level one for PROJECT_PYTHON: one it will move
 * onto the venv, or one that already uses the variable without setting it?
 */
function needsProjectPython(facts: AdoptFacts): boolean {
  const cmake = facts.references.filter((r) => r.adapter === 'cmake' && r.file !== TOP_LEVEL);
  const setElsewhere = cmake.some(
    (r) => r.meta?.definition === true && r.meta.variable === PROJECT_PYTHON,
  );
  if (setElsewhere) return false;
  return cmake.some(
    (r) => (!r.unified && r.skipReason === undefined) || r.text.includes(PROJECT_PYTHON),
  );
}
