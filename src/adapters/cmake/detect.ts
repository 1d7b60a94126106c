import {
  type EnvironmentRef,
  environmentOfDir,
  environmentOfInterpreter,
  hasSeparator,
  hasUnknown,
  isPythonName,
  isVenvLikeName,
  lastSegment,
  locate,
} from '../../core/shell/paths.js';
import { ROOT, UNKNOWN } from '../../core/shell/tokenize.js';
import { LineIndex, makeReference } from '../reference.js';
import {
  type DetectContext,
  type DetectResult,
  ENV_FIND_PACKAGE,
  ENV_PATH_PYTHON,
  ENV_UNKNOWN,
  type Reference,
  type ReferenceKind,
  type Span,
} from '../types.js';
import {
  commandMeta,
  type Expansion,
  type Meta,
  mayDoMore,
  normalizeOutput,
  programIndex,
  rawOf,
  runningSite,
  type Site,
  scriptOf,
  shellFindings,
  topLevel,
} from './command-args.js';
import {
  RUNNING_COMMANDS,
  readFindPackage,
  readFindProgram,
  type Section,
  section,
  sectionsOf,
  setValues,
} from './commands.js';
import { type CMakeArgument, type CMakeCommand, decodeEscapes, parseCMake } from './parse.js';
import { type VariableReference, variableReferences } from './variables.js';

/** The variable the unified setup binds to the venv's interpreter in the top-level CMakeLists.txt. */
export const PROJECT_PYTHON = 'PROJECT_PYTHON';

/** FindPython's interpreter result variables, and the packages that set each. */
const INTERPRETER_VARIABLES: Record<string, string[]> = {
  Python3_EXECUTABLE: ['Python3'],
  Python_EXECUTABLE: ['Python'],
  PYTHON_EXECUTABLE: ['PythonInterp', 'PythonLibs', 'pybind11'],
};

/** find_package names that choose a Python, as spelled canonically. */
const PYTHON_PACKAGES = ['Python3', 'Python', 'PythonInterp', 'PythonLibs', 'pybind11', 'nanobind'];
const PYTHON_PACKAGE_BY_LOWER = new Map(PYTHON_PACKAGES.map((p) => [p.toLowerCase(), p]));

/** Variables that, set before find_package, make it take a given interpreter. */
const HINT_VARIABLES: Record<string, string[]> = {
  Python3: ['Python3_EXECUTABLE', 'Python3_ROOT_DIR'],
  Python: ['Python_EXECUTABLE', 'Python_ROOT_DIR'],
  PythonInterp: ['PYTHON_EXECUTABLE'],
  PythonLibs: ['PYTHON_EXECUTABLE'],
  pybind11: [
    'PYTHON_EXECUTABLE',
    'Python_EXECUTABLE',
    'Python3_EXECUTABLE',
    'Python_ROOT_DIR',
    'Python3_ROOT_DIR',
  ],
  nanobind: ['Python_EXECUTABLE', 'Python3_EXECUTABLE', 'Python_ROOT_DIR', 'Python3_ROOT_DIR'],
};
const HINTS = new Set(Object.values(HINT_VARIABLES).flat());

const FOUND_VARIABLE =
  /^(Python3|Python|PYTHON|PythonInterp|PYTHONINTERP|PythonLibs|PYTHONLIBS)(?:_(?:Interpreter|Compiler|Development(?:\.Module|\.Embed|\.SABIModule)?|NumPy))?_FOUND$/;
const FOUND_PACKAGES: Record<string, string[]> = {
  Python3: ['Python3'],
  Python: ['Python'],
  PYTHON: ['PythonInterp', 'pybind11'],
  PythonInterp: ['PythonInterp', 'pybind11'],
  PYTHONINTERP: ['PythonInterp', 'pybind11'],
  PythonLibs: ['PythonLibs'],
  PYTHONLIBS: ['PythonLibs'],
};
const IMPORTED_INTERPRETER = /^(?:\$<TARGET_FILE:)?(Python3?)::Interpreter>?$/;
const DEVELOPMENT_TARGET = /^Python3?::(?:Module|Python|Embed|SABIModule|NumPy)$/;
const EXTENSION_COMMANDS = new Set([
  'pybind11_add_module',
  'nanobind_add_module',
  'python3_add_library',
  'python_add_library',
]);
const CONDITION_COMMANDS = new Set(['if', 'elseif', 'else', 'endif', 'while', 'endwhile']);
const VENV_VARIABLE_NAME = /venv|virtual_?env/i;
const INTERPRETER_VARIABLE_NAME =
  /(?:^|_)(?:py|python[23]?)(?:_?(?:bin|exe|executable|cmd|command|interp|interpreter))?$/i;
const ALIAS = /^\$\{([A-Za-z0-9_.+\-/]+)\}$/;
/** Common file suffixes: a name like `make_venv.sh` is no venv directory. */
const FILE_SUFFIX = /[^.]\.[A-Za-z][A-Za-z0-9]{0,4}$/;

const UNKNOWN_ENV: EnvironmentRef = { environment: ENV_UNKNOWN, skipReason: 'contains-variable' };

interface Binding {
  name: string;
  /** The binding holds from this offset on (the end of the command that made it). */
  from: number;
  /** Expanded value (ROOT and UNKNOWN markers as the shell scanner uses them); undefined once unset. */
  value: string | undefined;
  /** Set when the value names a Python interpreter or a venv. */
  env?: EnvironmentRef;
  role?: 'interpreter' | 'venv';
  /** The command that made it, and the argument holding the value (for the definition's span). */
  command?: CMakeCommand;
  valueArg?: CMakeArgument;
  /** Not set in the file: FindPython's result variables and PROJECT_PYTHON. */
  implicit?: boolean;
}

interface FindPackage {
  command: CMakeCommand;
  package: string;
  env: EnvironmentRef;
  /** The variable that pointed find_package at its interpreter, when one did. */
  hint?: string;
}

interface Interpreter {
  env: EnvironmentRef;
  how: 'find-package' | 'variable' | 'imported-target' | 'bare' | 'path';
  variable?: string;
}

export function isCMakeFile(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (base !== 'CMakeLists.txt' && !/\.cmake$/i.test(base)) return false;
  return !/(^|\/)CMakeFiles\//.test(file);
}

/** Python interpreter and venv references in a CMake listfile. Pure; never throws. */
export function detectCMakeReferences(
  content: string,
  file: string,
  context: DetectContext,
): DetectResult | null {
  if (!/python|venv|pybind11|nanobind/i.test(content)) return null;
  const references = new CMakeAnalysis(content, file, context).run();
  return references.length === 0 ? null : { references };
}

function isVenvDirName(name: string): boolean {
  return isVenvLikeName(name) && !FILE_SUFFIX.test(name);
}

class CMakeAnalysis {
  private readonly lines: LineIndex;
  private readonly dir: string;
  private readonly listsFile: boolean;
  private readonly commands: CMakeCommand[];
  private readonly bindings = new Map<string, Binding[]>();
  private readonly definitions = new Map<CMakeCommand, Binding>();
  private readonly findPackages: FindPackage[] = [];
  private readonly targetByOutput = new Map<string, string>();
  private readonly extensionModules: string[] = [];
  private developmentTargets = false;
  private projectFrom = Number.POSITIVE_INFINITY;
  private projectName = '';
  private readonly references: Reference[] = [];
  private covered: Span[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly context: DetectContext,
  ) {
    this.lines = new LineIndex(text);
    const slash = file.lastIndexOf('/');
    this.dir = slash === -1 ? '' : file.slice(0, slash);
    this.listsFile = file.slice(slash + 1) === 'CMakeLists.txt';
    this.commands = parseCMake(text).commands;
  }

  run(): Reference[] {
    for (const command of this.commands) this.learn(command);
    for (let i = 0; i < this.commands.length; i++) this.report(i);
    this.references.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    return this.references;
  }

  // ── Pass 1: what the file binds, in order ─────────────────────────────────────────

  private learn(command: CMakeCommand): void {
    const args = command.arguments;
    switch (command.id) {
      case 'project':
        if (this.projectFrom === Number.POSITIVE_INFINITY && args[0]) {
          this.projectFrom = command.end;
          this.projectName = args[0].value;
        }
        return;
      case 'set':
        this.learnSet(command);
        return;
      case 'unset':
        if (args[0]) this.bind({ name: args[0].value, from: command.end, value: undefined });
        return;
      case 'find_program':
        this.learnFindProgram(command);
        return;
      case 'find_package':
        this.learnFindPackage(command);
        return;
      case 'add_custom_target':
        this.learnTargetDepends(command);
        return;
      default:
        if (EXTENSION_COMMANDS.has(command.id) && args[0])
          this.extensionModules.push(args[0].value);
        if (args.some((a) => a.kind === 'unquoted' && DEVELOPMENT_TARGET.test(a.value))) {
          this.developmentTargets = true;
        }
    }
  }

  private bind(binding: Binding): void {
    if (binding.command) this.definitions.set(binding.command, binding);
    const list = this.bindings.get(binding.name);
    if (list) list.push(binding);
    else this.bindings.set(binding.name, [binding]);
  }

  private learnSet(command: CMakeCommand): void {
    const nameArg = command.arguments[0];
    if (!nameArg || nameArg.kind === 'paren') return;
    const name = nameArg.value;
    const values = setValues(command);
    if (values.length === 0) {
      this.bind({ name, from: command.end, value: undefined });
      return;
    }
    if (values.length > 1) {
      this.bind({ name, from: command.end, value: UNKNOWN });
      return;
    }
    const valueArg = values[0]!;
    const expansion = this.expand(valueArg, command.start, false);
    const binding: Binding = {
      name,
      from: command.end,
      value: expansion.value,
      command,
      valueArg,
    };
    const found = this.classify(name, valueArg, expansion, command.start);
    if (found) {
      binding.env = found.env;
      binding.role = found.role;
    }
    this.bind(binding);
  }

  /** Does a variable's value name an interpreter or a venv, and which? */
  private classify(
    name: string,
    arg: CMakeArgument,
    expansion: Expansion,
    at: number,
  ): { env: EnvironmentRef; role: 'interpreter' | 'venv' } | undefined {
    const alias = arg.kind === 'bracket' ? null : ALIAS.exec(arg.value);
    if (alias) {
      const target = this.lookup(alias[1]!, at, false);
      if (target?.env && target.role) return { env: target.env, role: target.role };
    }
    const value = expansion.value;
    const hint = HINTS.has(name);
    if (value === '') return undefined;
    const last = lastSegment(value);
    const viaVariable = this.variableEnvironment(expansion, at);
    if (!hasUnknown(last) && isPythonName(last)) {
      const env = hasUnknown(value)
        ? (viaVariable ?? UNKNOWN_ENV)
        : environmentOfInterpreter(value, this.dir, null);
      return { env, role: 'interpreter' };
    }
    const rootDir = hint && name.endsWith('_ROOT_DIR');
    if (!hasUnknown(last) && (isVenvDirName(last) || VENV_VARIABLE_NAME.test(name) || rootDir)) {
      const env = hasUnknown(value)
        ? (viaVariable ?? UNKNOWN_ENV)
        : environmentOfDir(locate(value, this.dir));
      return { env, role: 'venv' };
    }
    if (hint && !hasUnknown(value)) {
      return { env: environmentOfInterpreter(value, this.dir, null), role: 'interpreter' };
    }
    // HAVE_PYTHON, USE_PYTHON, ${Python3_FOUND}: switches, not interpreters.
    const switchLike =
      /^(?:HAVE|USE|WITH|ENABLE|BUILD|NO|SKIP|FIND)_/i.test(name) ||
      expansion.variables.some((v) => v.endsWith('_FOUND'));
    const pythonic =
      (hint && !switchLike) ||
      (!switchLike && (VENV_VARIABLE_NAME.test(name) || INTERPRETER_VARIABLE_NAME.test(name))) ||
      expansion.environment.includes('VIRTUAL_ENV');
    if (hasUnknown(value) && pythonic) {
      const role = INTERPRETER_VARIABLE_NAME.test(name) || hint ? 'interpreter' : 'venv';
      return { env: viaVariable ?? UNKNOWN_ENV, role };
    }
    return undefined;
  }

  /** The environment of a venv or interpreter variable a value is built on (`${VENV}/bin/python`). */
  private variableEnvironment(expansion: Expansion, at: number): EnvironmentRef | undefined {
    for (const name of expansion.variables) {
      const binding = this.lookup(name, at, false);
      if (binding?.env) return binding.env;
    }
    return undefined;
  }

  private learnFindProgram(command: CMakeCommand): void {
    const nameArg = command.arguments[0];
    const program = readFindProgram(command);
    if (!nameArg || !program) return;
    if (!program.names.some((n) => isPythonName(n.value))) {
      this.bind({ name: nameArg.value, from: command.end, value: UNKNOWN });
      return;
    }
    let env: EnvironmentRef = { environment: ENV_PATH_PYTHON };
    for (const hint of program.hints) {
      const value = this.expand(hint, command.start, false).value;
      if (hasUnknown(value)) env = UNKNOWN_ENV;
      else if (/(?:^|[/\\])(?:bin|Scripts)$/.test(value)) {
        env = environmentOfInterpreter(`${value}/python`, this.dir, null);
      } else env = environmentOfDir(locate(value, this.dir));
      break;
    }
    this.bind({
      name: nameArg.value,
      from: command.end,
      value: UNKNOWN,
      env,
      role: 'interpreter',
      command,
    });
  }

  private learnFindPackage(command: CMakeCommand): void {
    const call = readFindPackage(command);
    const canonical = call && PYTHON_PACKAGE_BY_LOWER.get(call.package.toLowerCase());
    if (!canonical) return;
    const record: FindPackage = {
      command,
      package: canonical,
      env: { environment: ENV_FIND_PACKAGE },
    };
    for (const hint of HINT_VARIABLES[canonical] ?? []) {
      const binding = this.lookup(hint, command.start, false, true);
      if (binding?.env) {
        record.env = binding.env;
        record.hint = hint;
        break;
      }
    }
    if (!record.hint && (canonical === 'pybind11' || canonical === 'nanobind')) {
      // Both reuse a Python found before them.
      const earlier = [...this.findPackages]
        .reverse()
        .find(
          (f) => f.package === 'Python3' || f.package === 'Python' || f.package === 'PythonInterp',
        );
      if (earlier) record.env = earlier.env;
    }
    this.findPackages.push(record);
  }

  private learnTargetDepends(command: CMakeCommand): void {
    const sections = sectionsOf(command);
    const name = section(sections, 'NAME')?.args[0]?.value;
    if (!name) return;
    for (const dep of section(sections, 'DEPENDS')?.args ?? []) {
      this.targetByOutput.set(normalizeOutput(dep.value), name);
    }
  }

  // ── Variables ─────────────────────────────────────────────────────────────────────

  /**
   * The binding of `name` at offset `at`: the last one made before it, else (a use in a
   * function body defined before the variable is set) the first one after, else the
   * implicit ones: FindPython's results and PROJECT_PYTHON.
   */
  private lookup(
    name: string,
    at: number,
    later: boolean,
    explicitOnly = false,
  ): Binding | undefined {
    const list = this.bindings.get(name);
    let found: Binding | undefined;
    if (list) {
      // Bindings are recorded in file order: binary search for the last one before `at`.
      let low = 0;
      let high = list.length - 1;
      while (low <= high) {
        const mid = (low + high) >> 1;
        if (list[mid]!.from <= at) {
          found = list[mid];
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      if (!found && later) found = list[0];
    }
    if (found) return found.value === undefined ? undefined : found;
    if (explicitOnly) return undefined;
    const packages = INTERPRETER_VARIABLES[name];
    if (packages) {
      return {
        name,
        from: 0,
        value: UNKNOWN,
        env: this.findPackageEnvironment(packages, at),
        role: 'interpreter',
        implicit: true,
      };
    }
    if (name === PROJECT_PYTHON) {
      return {
        name,
        from: 0,
        value: `${ROOT}${this.context.unifiedVenv}/bin/python3`,
        env: { environment: this.context.unifiedVenv },
        role: 'interpreter',
        implicit: true,
      };
    }
    return undefined;
  }

  /** What find_package chose: the last call for one of `packages` before `at`. */
  private findPackageEnvironment(packages: string[], at: number): EnvironmentRef {
    let env: EnvironmentRef = { environment: ENV_FIND_PACKAGE };
    for (const record of this.findPackages) {
      if (record.command.start < at && packages.includes(record.package)) env = record.env;
    }
    return env;
  }

  /** A directory variable CMake defines, as a ROOT-anchored value. */
  private directoryVariable(name: string, at: number): string | undefined {
    switch (name) {
      case 'CMAKE_SOURCE_DIR':
        return ROOT;
      case 'PROJECT_SOURCE_DIR':
        return ROOT + (at >= this.projectFrom ? this.dir : '');
      case 'CMAKE_CURRENT_LIST_DIR':
        return ROOT + this.dir;
      case 'CMAKE_CURRENT_SOURCE_DIR':
        // In an included .cmake file it is the includer's directory, which we cannot know.
        return this.listsFile ? ROOT + this.dir : undefined;
      default:
        if (
          this.projectName !== '' &&
          name === `${this.projectName}_SOURCE_DIR` &&
          at >= this.projectFrom
        ) {
          return ROOT + this.dir;
        }
        return undefined;
    }
  }

  private variableValue(ref: VariableReference, at: number, later: boolean): string | undefined {
    if (ref.namespace !== '' || ref.nested) return undefined;
    const dir = this.directoryVariable(ref.name, at);
    if (dir !== undefined) return dir;
    return this.lookup(ref.name, at, later)?.value;
  }

  /** The value of an argument with the variables we know substituted (UNKNOWN for the rest). */
  private expand(arg: CMakeArgument, at: number, later: boolean): Expansion {
    if (arg.kind === 'bracket' || arg.kind === 'paren') {
      return { value: arg.value, variables: [], environment: [] };
    }
    const quoted = arg.kind === 'quoted';
    const refs = topLevel(variableReferences(this.text, arg.valueStart, arg.valueEnd));
    let value = '';
    const variables: string[] = [];
    const environment: string[] = [];
    let at0 = arg.valueStart;
    for (const ref of refs) {
      value += decodeEscapes(this.text.slice(at0, ref.start), quoted);
      if (ref.namespace === '' && !ref.nested) variables.push(ref.name);
      if (ref.namespace === 'ENV') environment.push(ref.name);
      value += this.variableValue(ref, at, later) ?? UNKNOWN;
      at0 = ref.end;
    }
    value += decodeEscapes(this.text.slice(at0, arg.valueEnd), quoted);
    return { value, variables, environment };
  }

  // ── Pass 2: references ────────────────────────────────────────────────────────────

  private report(index: number): void {
    const command = this.commands[index]!;
    this.covered = [];
    const fileSite: Site = { consumer: `CMake ${this.file}`, meta: commandMeta(command) };
    if (command.id === 'find_package') {
      this.reportFindPackage(command, fileSite);
    } else if (command.id === 'set' || command.id === 'find_program') {
      this.reportDefinition(command, fileSite);
    } else if (CONDITION_COMMANDS.has(command.id)) {
      this.reportCondition(index, fileSite);
    }
    let site = fileSite;
    if (RUNNING_COMMANDS[command.id]) {
      const sections = sectionsOf(command);
      site = runningSite(command, sections, this.file, this.targetByOutput);
      this.reportRunning(command, sections, site);
    }
    for (const arg of command.arguments) this.reportUses(command, arg, site);
  }

  private add(
    command: CMakeCommand,
    start: number,
    end: number,
    kind: ReferenceKind,
    env: EnvironmentRef,
    site: Site,
    meta: Meta,
  ): void {
    if (end <= start || this.overlaps(start, end)) return;
    this.covered.push({ start, end });
    const reference = makeReference(this.text, this.lines, this.file, start, end, {
      kind,
      adapter: 'cmake',
      consumer: site.consumer,
      environment: env.environment,
    });
    const skipReason = command.recovered ? 'parse-error' : env.skipReason;
    if (skipReason !== undefined) reference.skipReason = skipReason;
    reference.meta = { ...meta, ...site.meta };
    this.references.push(reference);
  }

  private overlaps(start: number, end: number): boolean {
    return this.covered.some((s) => start < s.end && s.start < end);
  }

  private reportFindPackage(command: CMakeCommand, site: Site): void {
    const record = this.findPackages.find((f) => f.command === command);
    const call = readFindPackage(command);
    if (!record || !call) return;
    let components = call.components;
    if (components.length === 0) {
      if (record.package === 'Python3' || record.package === 'Python') components = ['Interpreter'];
      if (record.package === 'PythonInterp') components = ['Interpreter'];
      if (record.package === 'PythonLibs') components = ['Development'];
    }
    const all = [...components, ...call.optionalComponents];
    const developmentNeeded =
      all.some((c) => /^(Development|NumPy)/.test(c)) ||
      ['PythonLibs', 'pybind11', 'nanobind'].includes(record.package) ||
      this.extensionModules.length > 0 ||
      this.developmentTargets;
    const meta: Meta = {
      package: call.package,
      components,
      optionalComponents: call.optionalComponents,
      required: call.required,
      developmentNeeded,
      interpreterOnly:
        !developmentNeeded && ['Python3', 'Python', 'PythonInterp'].includes(record.package),
    };
    if (call.version !== undefined) meta.version = call.version;
    if (call.config) meta.config = true;
    if (record.hint) meta.hint = record.hint;
    if (this.extensionModules.length > 0) meta.extensionModules = [...this.extensionModules];
    this.add(command, command.start, command.end, 'find-package', record.env, site, meta);
  }

  private reportDefinition(command: CMakeCommand, site: Site): void {
    const name = command.arguments[0]?.value;
    if (name === undefined) return;
    const binding = this.definitions.get(command);
    if (!binding?.env) return;
    const meta: Meta = { variable: name, definition: true };
    if (binding.role) meta.role = binding.role;
    if (HINTS.has(name)) meta.hint = true;
    if (command.id === 'find_program' || !binding.valueArg) {
      this.add(command, command.start, command.end, 'venv-variable', binding.env, site, meta);
      return;
    }
    const arg = binding.valueArg;
    meta.value = rawOf(this.text, arg);
    this.add(command, arg.valueStart, arg.valueEnd, 'venv-variable', binding.env, site, meta);
  }

  private reportCondition(index: number, site: Site): void {
    const command = this.commands[index]!;
    const condition = command.arguments.map((a) => this.text.slice(a.start, a.end)).join(' ');
    const blockMeta = command.id === 'if' || command.id === 'elseif' ? this.blockOf(index) : {};
    const args = command.arguments;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg.kind === 'quoted') this.reportLiteralPath(command, arg, site);
      if (arg.kind !== 'unquoted') continue;
      const value = arg.value;
      const found = FOUND_VARIABLE.exec(value);
      const imported = IMPORTED_INTERPRETER.exec(value);
      if (found || (imported && args[i - 1]?.value === 'TARGET')) {
        const packages = found ? FOUND_PACKAGES[found[1]!]! : [imported![1]!];
        const env = this.findPackageEnvironment(packages, command.start);
        const meta: Meta = { variable: value, condition, ...blockMeta };
        this.add(command, arg.start, arg.end, 'python-found-condition', env, site, meta);
        continue;
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
        this.reportLiteralPath(command, arg, site);
        continue;
      }
      // A bare variable name is dereferenced by if(): if(Python3_EXECUTABLE), if(DEFINED X).
      const binding = this.lookup(value, arg.start, true);
      if (!binding?.env) continue;
      const kind: ReferenceKind = INTERPRETER_VARIABLES[value]
        ? 'interpreter-variable'
        : 'venv-variable';
      this.add(command, arg.start, arg.end, kind, binding.env, site, {
        variable: value,
        condition,
      });
    }
  }

  /** Where the if() block of commands[index] goes on: its else() and endif(). */
  private blockOf(index: number): Meta {
    let depth = 0;
    let elseStart = -1;
    for (let i = index + 1; i < this.commands.length; i++) {
      const id = this.commands[i]!.id;
      if (id === 'if') depth++;
      else if (id === 'endif') {
        if (depth === 0) {
          return {
            elseStart,
            endifStart: this.commands[i]!.start,
            endifEnd: this.commands[i]!.end,
          };
        }
        depth--;
      } else if (id === 'else' && depth === 0 && elseStart === -1) {
        elseStart = this.commands[i]!.start;
      }
    }
    return { elseStart, endifStart: -1, endifEnd: -1 };
  }

  /** A venv or interpreter path spelled out (if(EXISTS …/.venv/bin/python3), DEPENDS …). */
  private reportLiteralPath(command: CMakeCommand, arg: CMakeArgument, site: Site): void {
    if (arg.kind === 'paren') return;
    const expansion = this.expand(arg, arg.start, true);
    const value = expansion.value;
    if (hasUnknown(value) || !hasSeparator(value) || /[\s*?[\]^$|]/.test(value)) return;
    if (expansion.variables.some((v) => this.lookup(v, arg.start, true)?.env)) return;
    const last = lastSegment(value);
    let env: EnvironmentRef;
    let pathKind: string;
    if (isPythonName(last)) {
      env = environmentOfInterpreter(value, this.dir, null);
      pathKind = 'interpreter';
    } else if (isVenvDirName(last)) {
      env = environmentOfDir(locate(value, this.dir));
      pathKind = 'venv';
    } else {
      return;
    }
    this.add(command, arg.valueStart, arg.valueEnd, 'interpreter-path', env, site, { pathKind });
  }

  /** `${VAR}` uses of FindPython's results, venv variables and PROJECT_PYTHON. */
  private reportUses(command: CMakeCommand, arg: CMakeArgument, site: Site): void {
    if (arg.kind === 'bracket' || arg.kind === 'paren') return;
    const refs = variableReferences(this.text, arg.valueStart, arg.valueEnd);
    for (const ref of refs) {
      if (ref.namespace !== '' || ref.nested) continue;
      const name = ref.name;
      const found = FOUND_VARIABLE.exec(name);
      if (found) {
        const env = this.findPackageEnvironment(FOUND_PACKAGES[found[1]!]!, ref.start);
        this.add(command, ref.start, ref.end, 'python-found-condition', env, site, {
          variable: name,
        });
        continue;
      }
      const binding = this.lookup(name, ref.start, true);
      if (!binding?.env) continue;
      const kind: ReferenceKind = INTERPRETER_VARIABLES[name]
        ? 'interpreter-variable'
        : 'venv-variable';
      const meta: Meta = { variable: name };
      let end = ref.end;
      // `${VENV}/bin/python3` as a whole argument: the span covers the interpreter path.
      const rest = this.text.slice(ref.end, arg.valueEnd);
      if (
        binding.role === 'venv' &&
        ref.start === arg.valueStart &&
        /^[/\\](?:bin|Scripts)[/\\][^/\\]+$/.test(rest) &&
        isPythonName(lastSegment(rest))
      ) {
        end = arg.valueEnd;
        meta.interpreterPath = true;
      }
      this.add(command, ref.start, end, kind, binding.env, site, meta);
    }
  }

  // ── Commands that run programs ────────────────────────────────────────────────────

  private reportRunning(command: CMakeCommand, sections: Section[], site: Site): void {
    const workingDirectory = section(sections, 'WORKING_DIRECTORY')?.args[0];
    let cwd = this.dir;
    const siteMeta: Meta = { ...site.meta };
    if (workingDirectory) {
      siteMeta.workingDirectory = rawOf(this.text, workingDirectory);
      const location = locate(this.expand(workingDirectory, command.start, true).value, this.dir);
      if (location.kind === 'repo') cwd = location.path;
    }
    const clauseSite: Site = { consumer: site.consumer, meta: siteMeta };
    for (const s of sections) {
      if (s.name === 'COMMAND') this.reportClause(command, s, cwd, clauseSite);
    }
    for (const s of sections) {
      if (s.name !== 'DEPENDS' && s.name !== 'MAIN_DEPENDENCY') continue;
      for (const arg of s.args) this.reportLiteralPath(command, arg, site);
    }
  }

  private interpreterOf(arg: CMakeArgument, cwd: string): Interpreter | undefined {
    const alias = arg.kind === 'bracket' ? null : ALIAS.exec(arg.value);
    if (alias) {
      const name = alias[1]!;
      const binding = this.lookup(name, arg.start, true);
      if (binding?.env && binding.role === 'interpreter') {
        const how = INTERPRETER_VARIABLES[name] && binding.implicit ? 'find-package' : 'variable';
        return { env: binding.env, how, variable: name };
      }
      if (!binding && (INTERPRETER_VARIABLE_NAME.test(name) || VENV_VARIABLE_NAME.test(name))) {
        return { env: UNKNOWN_ENV, how: 'variable', variable: name };
      }
    }
    const imported = IMPORTED_INTERPRETER.exec(arg.value);
    if (imported) {
      return {
        env: this.findPackageEnvironment([imported[1]!], arg.start),
        how: 'imported-target',
      };
    }
    const expansion = this.expand(arg, arg.start, true);
    const value = expansion.value;
    const last = lastSegment(value);
    if (value === '' || hasUnknown(last) || !isPythonName(last)) return undefined;
    const variable = expansion.variables.find((v) => this.lookup(v, arg.start, true)?.env);
    const env = hasUnknown(value)
      ? (this.variableEnvironment(expansion, arg.start) ?? UNKNOWN_ENV)
      : environmentOfInterpreter(value, cwd, null);
    if (variable !== undefined) return { env, how: 'variable', variable };
    return { env, how: hasSeparator(value) || expansion.variables.length > 0 ? 'path' : 'bare' };
  }

  private reportClause(command: CMakeCommand, clause: Section, cwd: string, site: Site): void {
    const args = clause.args;
    if (args.length === 0) return;
    const { shellFrom, program } = programIndex(args);
    const programArg = args[program];
    const interpreter = programArg ? this.interpreterOf(programArg, cwd) : undefined;
    const clauseMeta: Meta = {
      ...site.meta,
      arguments: args.map((a) => this.text.slice(a.start, a.end)),
      clauseStart: clause.keyword?.start ?? args[0]!.start,
      clauseEnd: args[args.length - 1]!.end,
    };
    clauseMeta.commandLine = (clauseMeta.arguments as string[]).join(' ');
    const clauseSite: Site = { consumer: site.consumer, meta: clauseMeta };

    if (!interpreter && !this.mayRunPython(args, command.start)) return;
    let programTaken = false;
    const shellArgs = args.slice(shellFrom);
    const replaced = interpreter ? program - shellFrom : -1;
    // `<interpreter> script.py args` is ours alone; the scanner adds nothing unless more is going on.
    const findings =
      !interpreter || mayDoMore(this.text, args, program)
        ? shellFindings(this.text, shellArgs, cwd, replaced, (ref) =>
            this.variableValue(ref, command.start, true),
          )
        : [];
    for (const finding of findings) {
      const atProgram =
        programArg !== undefined &&
        finding.span.start >= programArg.valueStart &&
        finding.span.start < Math.max(programArg.valueEnd, programArg.valueStart + 1);
      let env: EnvironmentRef = { environment: finding.environment };
      if (finding.skipReason !== undefined) env.skipReason = finding.skipReason;
      const meta: Meta = { ...(finding.meta ?? {}) };
      const ending =
        finding.skipReason === 'contains-variable' ? this.endingInterpreter(finding) : undefined;
      if (ending?.inPath) {
        // `/${Python3_EXECUTABLE}`: the variable is the reference, as where the scanner
        // sees nothing (its value unknown); what it names does not change the word's kind.
        const kind = INTERPRETER_VARIABLES[ending.name] ? 'interpreter-variable' : 'venv-variable';
        const variableMeta = { variable: ending.name };
        this.add(command, ending.start, ending.end, kind, ending.env, clauseSite, variableMeta);
        continue;
      }
      if (ending) {
        // `--python=${PROJECT_PYTHON}`: the word ends with an interpreter variable, which
        // the scanner cannot see through in the middle of a word; the variable says it.
        env = ending.env;
        meta.variable = ending.name;
      }
      if (interpreter && atProgram) {
        if (finding.kind === 'python-command') continue;
        if (finding.kind === 'pip-install') env = interpreter.env;
        meta.interpreter = interpreter.how;
        if (interpreter.variable !== undefined) meta.variable = interpreter.variable;
        programTaken = true;
      }
      if (interpreter && finding.kind === 'pythonpath') {
        // The paths go to this command's interpreter; an unresolved entry stays a skip.
        env = { environment: interpreter.env.environment };
        const skip = finding.skipReason ?? interpreter.env.skipReason;
        if (skip !== undefined) env.skipReason = skip;
      }
      this.add(command, finding.span.start, finding.span.end, finding.kind, env, clauseSite, meta);
    }
    if (!interpreter || !programArg || programTaken) return;
    const meta: Meta = { interpreter: interpreter.how };
    if (interpreter.variable !== undefined) meta.variable = interpreter.variable;
    Object.assign(
      meta,
      scriptOf(this.text, args.slice(program + 1), cwd, (arg) => this.expand(arg, arg.start, true)),
    );
    this.add(
      command,
      programArg.valueStart,
      programArg.valueEnd,
      'python-command',
      interpreter.env,
      clauseSite,
      meta,
    );
  }

  /**
   * The interpreter variable a word ends with: after an option (`--python=${Python3_EXECUTABLE}`),
   * or inside a longer path (`/${Python3_EXECUTABLE}`, `inPath`).
   */
  private endingInterpreter(finding: {
    span: { start: number; end: number };
  }):
    | { name: string; env: EnvironmentRef; start: number; end: number; inPath: boolean }
    | undefined {
    const refs = variableReferences(this.text, finding.span.start, finding.span.end);
    const last = refs[refs.length - 1];
    if (last === undefined || last.end !== finding.span.end || last.namespace !== '') return;
    if (last.nested) return;
    const binding = this.lookup(last.name, last.start, true);
    if (binding?.role !== 'interpreter' || !binding.env) return;
    const inPath = /[/\\$]/.test(this.text.slice(finding.span.start, last.start));
    return { name: last.name, env: binding.env, start: last.start, end: last.end, inPath };
  }

  /** Could the shell scanner find anything here? Spares it the plain `cmake -E copy` lines. */
  private mayRunPython(args: CMakeArgument[], at: number): boolean {
    const first = args[0]!;
    const last = args[args.length - 1]!;
    if (/python|venv|pip|uv|activate|virtualenv/i.test(this.text.slice(first.start, last.end))) {
      return true;
    }
    return args.some((arg) =>
      variableReferences(this.text, arg.valueStart, arg.valueEnd).some(
        (ref) => this.lookup(ref.name, at, true)?.env !== undefined,
      ),
    );
  }
}
