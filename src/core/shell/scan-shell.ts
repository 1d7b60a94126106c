import {
  ENV_PATH_PYTHON,
  ENV_UNKNOWN,
  type ReferenceKind,
  type SkipReason,
} from '../../adapters/types.js';
import {
  classifyVariable,
  INTERPRETER_VARIABLE_NAME,
  pythonpathFacts,
  VENV_VARIABLE_NAME,
} from './classify.js';
import {
  describePath,
  type EnvironmentRef,
  environmentDirOf,
  environmentOfDir,
  environmentOfInterpreter,
  hasSeparator,
  hasUnknown,
  inBinDir,
  isActivateName,
  isPipName,
  isPythonName,
  isVenvLikeName,
  lastSegment,
  locate,
  segments,
} from './paths.js';
import { ROOT, type SimpleCommand, tokenizeShell, UNKNOWN, type Word } from './tokenize.js';

export interface ShellFinding {
  kind: ReferenceKind;
  /** Offsets into the text given to scanShell. */
  start: number;
  end: number;
  /** Environment id: a repo-relative venv dir, or ENV_PATH_PYTHON / ENV_SYSTEM / ENV_UNKNOWN. */
  environment: string;
  skipReason?: SkipReason;
  meta?: Record<string, string | number | boolean | string[]>;
}

export interface ScanShellOptions {
  /** Repo-relative directory the commands run in, '' for the root. */
  cwd: string;
  /**
   * Known variable values. A value anchored at the repository root is written with
   * `repoPath('sub/dir')`. GitHub expressions are looked up as `{{github.workspace}}`.
   */
  variables?: Record<string, string>;
  /** Repo-relative path of the script itself, for `$0` and `${BASH_SOURCE[0]}`. */
  script?: string;
  /** Variables already bound to a venv or interpreter (by an earlier step), so uses are reported. */
  venvVariables?: Record<string, EnvironmentRef>;
  /** A venv already first on PATH when the text starts (an earlier CI step put it there). */
  active?: EnvironmentRef;
}

/** What the text hands to later CI steps through `$GITHUB_ENV` and `$GITHUB_PATH`. */
export interface ShellExports {
  variables: Record<string, string>;
  venvVariables: Record<string, EnvironmentRef>;
  /** A venv's bin dir added to `$GITHUB_PATH`. */
  active?: EnvironmentRef;
}

export interface ScanShellResult {
  findings: ShellFinding[];
  /** Variables known at the end of the text (shell assignments made at top level). */
  variables: Record<string, string>;
  /** Variables bound to a venv or interpreter at the end of the text. */
  venvVariables: Record<string, EnvironmentRef>;
  exported: ShellExports;
}

interface Scope {
  cwd: string | null;
  dirStack: (string | null)[];
  variables: Map<string, string>;
  /** Variables bound to a venv or interpreter, with the environment they name. */
  venvVariables: Map<string, EnvironmentRef>;
  /** The venv activated earlier (source …/activate, PATH=…/bin:$PATH). */
  active: EnvironmentRef | null;
}

const WRAPPERS = new Set(['exec', 'command', 'nohup', 'time', 'sudo', 'nice', 'timeout', 'stdbuf']);
/** Options of wrappers that take a value as the next word. */
const WRAPPER_VALUE_OPTIONS = new Set(['-u', '-g', '-C', '-p', '-n', '-s', '-k', '--chdir']);
const PIP_VALUE_OPTIONS = new Set([
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--src',
  '--upgrade-strategy',
  '--progress-bar',
  '-C',
  '--config-settings',
  '--trusted-host',
  '--cache-dir',
  '--log',
  '--proxy',
  '--retries',
  '--timeout',
  '--exists-action',
  '--report',
  '--only-binary',
  '--no-binary',
  '--global-option',
  '--python',
  '-p',
  '--index-strategy',
  '--keyring-provider',
  '--resolution',
  '--prerelease',
  '--extra',
  '--group',
]);
const VENV_VALUE_OPTIONS = new Set([
  '--prompt',
  '-p',
  '--python',
  '--index-url',
  '--extra-index-url',
  '--seed-packages',
  '--activators',
  '--creator',
  '--seeder',
  '--upgrade-deps',
  '--link-mode',
  '--index-strategy',
  '--cache-dir',
  '--relocatable',
]);
/** Flags of `python -m venv`/`uv venv` that take no value despite the names above. */
const VENV_FLAGS = new Set(['--upgrade-deps', '--relocatable']);
const UV_RUN_VALUE_OPTIONS = new Set([
  '--with',
  '--with-requirements',
  '--with-editable',
  '--project',
  '--directory',
  '-p',
  '--python',
  '--group',
  '--extra',
  '--env-file',
  '--package',
  '--index',
  '--index-url',
]);

/**
 * Finds Python interpreter and venv references in shell text: venv creation, activation,
 * pip installs, interpreter invocations, PYTHONPATH and variables bound to venvs. Pure;
 * never throws.
 */
export function scanShell(text: string, options: ScanShellOptions): ScanShellResult {
  return new ShellAnalyzer(text, options).run();
}

class ShellAnalyzer {
  private readonly findings: ShellFinding[] = [];
  private scope: Scope;
  private readonly scopes: Scope[] = [];
  /** Environments created or activated in this text, so `X/bin/tool` counts as a venv tool. */
  private readonly knownVenvs = new Set<string>();
  private readonly exported: ShellExports = { variables: {}, venvVariables: {} };

  constructor(
    private readonly text: string,
    private readonly options: ScanShellOptions,
  ) {
    const variables = new Map(Object.entries(options.variables ?? {}));
    this.scope = {
      cwd: options.cwd === '.' ? '' : options.cwd,
      dirStack: [],
      variables,
      venvVariables: new Map(Object.entries(options.venvVariables ?? {})),
      active: options.active ?? null,
    };
  }

  run(): ScanShellResult {
    tokenizeShell(this.text, {
      lookup: (name) => this.lookup(name),
      command: (command) => this.command(command),
      enterSubshell: () => this.enterSubshell(),
      leaveSubshell: (commands) => this.leaveSubshell(commands),
      scriptPath: () =>
        this.options.script === undefined ? undefined : ROOT + this.options.script,
    });
    this.findings.sort((a, b) => a.start - b.start || a.end - b.end);
    return {
      findings: this.findings,
      variables: Object.fromEntries(this.scope.variables),
      venvVariables: Object.fromEntries(this.scope.venvVariables),
      exported: this.exported,
    };
  }

  private lookup(name: string): string | undefined {
    const value = this.scope.variables.get(name);
    if (value !== undefined) return value;
    if (name === 'PWD' && this.scope.cwd !== null) return ROOT + this.scope.cwd;
    return undefined;
  }

  private enterSubshell(): void {
    this.scopes.push(this.scope);
    this.scope = {
      cwd: this.scope.cwd,
      dirStack: [...this.scope.dirStack],
      variables: new Map(this.scope.variables),
      venvVariables: new Map(this.scope.venvVariables),
      active: this.scope.active,
    };
  }

  /** The value of `$(…)` for the forms that name a directory of the repository. */
  private leaveSubshell(commands: SimpleCommand[]): string | undefined {
    const value = this.substitutionValue(commands);
    this.scope = this.scopes.pop() ?? this.scope;
    return value;
  }

  private substitutionValue(commands: SimpleCommand[]): string | undefined {
    const last = commands[commands.length - 1];
    if (last === undefined) return undefined;
    const words = last.words.map((w) => w.value);
    const [name, ...args] = words;
    const positional = args.filter((a) => !a.startsWith('-'));
    switch (name) {
      case 'pwd':
        return this.scope.cwd === null ? undefined : ROOT + this.scope.cwd;
      case 'dirname': {
        const arg = positional[0];
        if (arg === undefined || hasUnknown(arg)) return undefined;
        const parts = segments(arg);
        parts.pop();
        if (arg.startsWith(ROOT)) return parts.length === 0 ? ROOT : parts.join('/');
        return parts.length === 0 ? '.' : parts.join('/');
      }
      case 'realpath':
      case 'readlink': {
        const arg = positional[0];
        if (arg === undefined) return undefined;
        const location = locate(arg, this.scope.cwd);
        return location.kind === 'repo' ? ROOT + location.path : undefined;
      }
      case 'git':
        return args.includes('--show-toplevel') ? ROOT : undefined;
      case 'which':
        return positional[0];
      case 'command':
      case 'type':
        return args[0] === '-v' || args[0] === '-P' || args[0] === '-p' ? args[1] : undefined;
      default:
        return undefined;
    }
  }

  private add(
    kind: ReferenceKind,
    start: number,
    end: number,
    env: EnvironmentRef,
    meta?: Record<string, string | number | boolean | string[]>,
  ): void {
    const finding: ShellFinding = { kind, start, end, environment: env.environment };
    if (env.skipReason !== undefined) finding.skipReason = env.skipReason;
    if (meta !== undefined && Object.keys(meta).length > 0) finding.meta = meta;
    this.findings.push(finding);
  }

  private command(command: SimpleCommand): void {
    const words = command.words;
    let i = 0;
    const prefix: Word[] = [];
    while (i < words.length && assignmentName(this.text, words[i]!) !== undefined) {
      prefix.push(words[i]!);
      i++;
    }
    if (i === words.length) {
      for (const word of prefix) this.assignment(word, true);
      return;
    }
    for (const word of prefix) this.assignment(word, false);
    const covered = new Set<Word>();
    i = this.skipWrappers(words, i, covered);
    const head = words[i];
    if (head === undefined) return;
    const args = words.slice(i + 1);
    const name = hasUnknown(head.value) ? '' : lastSegment(head.value);
    covered.add(head);
    if ((name === 'echo' || name === 'printf') && head.value === name) {
      this.githubFiles(name, args, command.redirects);
    }
    if (this.builtin(name, head, args)) return;
    this.invocation(name, head, args, covered);
    this.otherWords(words.slice(i), covered);
  }

  /** Steps over `env VAR=x`, `exec`, `sudo -E` and the like to the real command. */
  private skipWrappers(words: Word[], from: number, covered: Set<Word>): number {
    let i = from;
    while (i < words.length) {
      const word = words[i]!;
      const name = hasUnknown(word.value) ? '' : lastSegment(word.value);
      if (name === 'env') {
        i++;
        while (i < words.length) {
          const w = words[i]!;
          if (assignmentName(this.text, w) !== undefined) {
            this.assignment(w, false);
            covered.add(w);
            i++;
            continue;
          }
          if (!w.value.startsWith('-')) break;
          i += WRAPPER_VALUE_OPTIONS.has(w.value) || w.value === '-S' ? 2 : 1;
        }
        continue;
      }
      if (!WRAPPERS.has(name)) return i;
      if (name === 'command' && /^-[vV]$/.test(words[i + 1]?.value ?? '')) return words.length;
      i++;
      while (i < words.length && words[i]!.value.startsWith('-')) {
        i += WRAPPER_VALUE_OPTIONS.has(words[i]!.value) ? 2 : 1;
      }
      if (name === 'timeout' && i < words.length) i++; // the duration
    }
    return i;
  }

  /** Commands that change state or whose arguments are only text; true when handled. */
  private builtin(name: string, head: Word, args: Word[]): boolean {
    switch (name) {
      case 'echo':
      case 'printf':
      case ':':
      case 'which':
      case 'type':
      case 'hash':
        return true;
      case 'export':
      case 'declare':
      case 'typeset':
      case 'local':
      case 'readonly':
        for (const arg of args) {
          if (assignmentName(this.text, arg) !== undefined) this.assignment(arg, true);
        }
        return true;
      case 'unset':
        for (const arg of args) {
          this.scope.variables.delete(arg.value);
          this.scope.venvVariables.delete(arg.value);
        }
        return true;
      case 'cd':
        this.changeDirectory(args.filter((a) => !/^-[LPe@]+$/.test(a.value))[0]);
        return true;
      case 'pushd':
        this.scope.dirStack.push(this.scope.cwd);
        this.changeDirectory(args.filter((a) => !a.value.startsWith('-'))[0]);
        return true;
      case 'popd':
        this.scope.cwd = this.scope.dirStack.length > 0 ? this.scope.dirStack.pop()! : null;
        return true;
      case 'deactivate':
        this.scope.active = null;
        return true;
      case 'source':
      case '.':
        if (head.value === name) this.source(args[0]);
        return true;
      default:
        return false;
    }
  }

  /** `echo "…/bin" >> "$GITHUB_PATH"`, `echo "NAME=value" >> "$GITHUB_ENV"`. */
  private githubFiles(name: string, args: Word[], redirects: Word[]): void {
    const file = redirects
      .flatMap((r) => r.variables)
      .find((v) => v === 'GITHUB_PATH' || v === 'GITHUB_ENV');
    if (file === undefined) return;
    const values = name === 'echo' ? args.filter((a) => !/^-[neE]+$/.test(a.value)) : args.slice(1);
    const line = values.length === 1 ? values[0] : undefined;
    if (line === undefined) return;
    if (file === 'GITHUB_PATH') {
      const value = line.value;
      if (hasUnknown(value) || !/(?:^|[/\\])(?:bin|Scripts)$/.test(value)) return;
      const dir = environmentDirOf(`${value}/x`) ?? '.';
      const env = environmentOfDir(locate(dir, this.scope.cwd));
      if (!this.knownVenvs.has(env.environment) && !isVenvLikeName(lastSegment(dir))) return;
      this.add('venv-activate', line.start, line.end, env, { via: 'GITHUB_PATH' });
      this.exported.active = env;
      return;
    }
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line.value);
    if (!assignment) return;
    const variable = assignment[1]!;
    const value = line.value.slice(assignment[0].length);
    const valueWord: Word = { ...line, value };
    const before = this.findings.length;
    if (variable === 'PYTHONPATH') this.pythonpath(line, valueWord);
    else this.venvVariable(variable, line, valueWord, false);
    for (const finding of this.findings.slice(before)) {
      finding.meta = { ...finding.meta, via: 'GITHUB_ENV' };
      if (finding.kind === 'venv-variable') {
        const ref: EnvironmentRef = { environment: finding.environment };
        if (finding.skipReason !== undefined) ref.skipReason = finding.skipReason;
        this.exported.venvVariables[variable] = ref;
      }
    }
    if (!hasUnknown(value)) this.exported.variables[variable] = value;
  }

  private changeDirectory(target: Word | undefined): void {
    if (target === undefined || target.value === '-') {
      this.scope.cwd = null;
      return;
    }
    const location = locate(target.value, this.scope.cwd);
    this.scope.cwd = location.kind === 'repo' ? location.path : null;
  }

  private source(target: Word | undefined): void {
    if (target === undefined) return;
    const value = target.value;
    const activate =
      isActivateName(lastSegment(value)) ||
      (hasUnknown(value) && /activate/i.test(lastSegment(value)));
    if (!activate) return;
    const env = hasUnknown(value)
      ? (this.environmentFromVariables(target) ?? unknownEnvironment())
      : environmentOfDir(locate(environmentDirOf(value) ?? '.', this.scope.cwd));
    this.add('venv-activate', target.start, target.end, env, variableMeta(target));
    this.remember(env);
    this.scope.active = env;
  }

  /** A value built on an unknown part: the env of a venv variable it uses, if any. */
  private environmentFromVariables(word: Word): EnvironmentRef | undefined {
    for (const name of word.variables) {
      const env = this.scope.venvVariables.get(name);
      if (env !== undefined && hasUnknown(word.value)) return env;
    }
    return undefined;
  }

  private remember(env: EnvironmentRef): void {
    if (env.skipReason === undefined) this.knownVenvs.add(env.environment);
  }

  private invocation(name: string, head: Word, args: Word[], covered: Set<Word>): void {
    const value = head.value;
    if (name === 'virtualenv') {
      this.venvCreate(head, args, 'virtualenv', covered);
      return;
    }
    if (name === 'uv') {
      this.uv(head, args, covered);
      return;
    }
    if (name !== '' && isPipName(name)) {
      if (firstPositional(args)?.value === 'install') {
        const env = this.interpreterEnvironment(head);
        this.pipInstall(head, args, env, 'pip', covered);
      }
      return;
    }
    if (name !== '' && isPythonName(name)) {
      this.python(head, args, this.interpreterEnvironment(head), covered);
      return;
    }
    if (hasUnknown(value)) {
      this.unknownHead(head, args, covered);
      return;
    }
    // A console script inside a venv: `.venv/bin/uvicorn app:main`.
    if (hasSeparator(value) && inBinDir(value)) {
      const env = environmentOfInterpreter(value, this.scope.cwd, null);
      const dir = environmentDirOf(value) ?? '';
      if (this.knownVenvs.has(env.environment) || isVenvLikeName(lastSegment(dir))) {
        this.add('python-command', head.start, head.end, env, {
          executable: name,
          ...variableMeta(head),
        });
      }
    }
  }

  /** A command word built from a variable we cannot resolve (`$PYTHON x.py`). */
  private unknownHead(head: Word, args: Word[], covered: Set<Word>): void {
    const env = this.environmentFromVariables(head);
    const shape = lastSegment(head.value);
    const looksPython =
      isPythonName(shape) ||
      head.variables.some((v) => INTERPRETER_VARIABLE_NAME.test(v) || VENV_VARIABLE_NAME.test(v));
    if (isPipName(shape)) {
      if (firstPositional(args)?.value === 'install') {
        this.pipInstall(head, args, env ?? unknownEnvironment(), 'pip', covered);
      }
      return;
    }
    if (!looksPython && env === undefined) return;
    this.python(head, args, env ?? unknownEnvironment(), covered);
  }

  private interpreterEnvironment(head: Word): EnvironmentRef {
    const value = head.value;
    const fromVariable = this.environmentFromVariables(head);
    if (fromVariable !== undefined) return fromVariable;
    return environmentOfInterpreter(value, this.scope.cwd, this.scope.active);
  }

  private python(head: Word, args: Word[], env: EnvironmentRef, covered: Set<Word>): void {
    let module: string | undefined;
    let moduleIndex = -1;
    for (let k = 0; k < args.length; k++) {
      const arg = args[k]!.value;
      if (arg === '-m' && k + 1 < args.length) {
        module = args[k + 1]!.value;
        moduleIndex = k + 1;
        break;
      }
      if (/^-m[A-Za-z_]/.test(arg)) {
        module = arg.slice(2);
        moduleIndex = k;
        break;
      }
      if (arg === '-X' || arg === '-W') {
        k++;
        continue;
      }
      if (!arg.startsWith('-') || arg === '-' || arg === '-c') break;
    }
    const rest = args.slice(moduleIndex + 1);
    if (module === 'venv' || module === 'virtualenv') {
      this.venvCreate(head, rest, module, covered);
      return;
    }
    if (module === 'pip' && firstPositional(rest)?.value === 'install') {
      this.pipInstall(head, rest, env, 'pip', covered);
      return;
    }
    const meta: Record<string, string> = { ...variableMeta(head) };
    if (module !== undefined && !hasUnknown(module)) meta.module = module;
    this.add('python-command', head.start, head.end, env, meta);
  }

  private venvCreate(head: Word, args: Word[], tool: string, covered: Set<Word>): void {
    let target: Word | undefined;
    for (let k = 0; k < args.length; k++) {
      const arg = args[k]!;
      if (arg.value.startsWith('-')) {
        if (VENV_VALUE_OPTIONS.has(arg.value) && !VENV_FLAGS.has(arg.value)) k++;
        continue;
      }
      target = arg;
      break;
    }
    const end = args.length > 0 ? args[args.length - 1]!.end : head.end;
    const meta: Record<string, string> = { tool };
    let env: EnvironmentRef;
    if (target === undefined) {
      // `uv venv` without a path makes `.venv` in the current directory.
      env =
        tool === 'uv'
          ? environmentOfDir(locate('.venv', this.scope.cwd))
          : { environment: ENV_UNKNOWN, skipReason: 'unsupported' };
    } else {
      covered.add(target);
      meta.path = this.text.slice(target.start, target.end);
      Object.assign(meta, variableMeta(target));
      env = hasUnknown(target.value)
        ? (this.environmentFromVariables(target) ?? unknownEnvironment())
        : environmentOfDir(locate(target.value, this.scope.cwd));
    }
    for (const arg of args) covered.add(arg);
    this.add('venv-create', head.start, end, env, meta);
    this.remember(env);
  }

  private uv(head: Word, args: Word[], covered: Set<Word>): void {
    const sub = args[0]?.value;
    if (sub === 'venv') {
      this.venvCreate(head, args.slice(1), 'uv', covered);
      return;
    }
    if (sub === 'pip' && args[1]?.value === 'install') {
      const rest = args.slice(1);
      const python = optionValue(rest, ['--python', '-p']);
      // Without --python, uv installs into the activated venv, or with --system into the
      // interpreter on PATH; otherwise into a `.venv` it looks for upwards (not static).
      const env =
        python !== undefined
          ? environmentOfInterpreter(python.value, this.scope.cwd, null)
          : (this.scope.active ??
            (rest.some((a) => a.value === '--system')
              ? { environment: ENV_PATH_PYTHON }
              : unknownEnvironment('unsupported')));
      this.pipInstall(head, rest, env, 'uv', covered);
      return;
    }
    if (sub === 'run') {
      let k = 1;
      while (k < args.length && args[k]!.value.startsWith('-')) {
        k += UV_RUN_VALUE_OPTIONS.has(args[k]!.value) ? 2 : 1;
      }
      const target = args[k];
      if (target === undefined || !isPythonName(lastSegment(target.value))) return;
      covered.add(target);
      // Which venv `uv run` picks depends on the nearest pyproject.toml: not static.
      this.add('python-command', target.start, target.end, unknownEnvironment('unsupported'), {
        runner: 'uv run',
      });
    }
  }

  private pipInstall(
    head: Word,
    args: Word[],
    env: EnvironmentRef,
    installer: string,
    covered: Set<Word>,
  ): void {
    const requirements: string[] = [];
    const constraints: string[] = [];
    const editables: string[] = [];
    const packages: string[] = [];
    let unresolved = false;
    const path = (word: Word): string => {
      if (hasUnknown(word.value)) unresolved = true;
      // A URL (`git+https://…`) or a direct reference (`pkg @ https://…`) is no local path.
      if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(word.value) || word.value.includes('@')) {
        return word.value;
      }
      // `.[dev]`: the path with its extras, which stay as written.
      const extras = /\[[^\]/\\]*\]$/.exec(word.value)?.[0] ?? '';
      const value = word.value.slice(0, word.value.length - extras.length);
      const raw = this.text.slice(word.start, word.end);
      return describePath(value, raw, this.scope.cwd) + extras;
    };
    const installAt = args.findIndex((a) => a.value === 'install');
    for (let k = installAt + 1; k < args.length; k++) {
      const arg = args[k]!;
      const value = arg.value;
      const take = (list: string[], inline: string | undefined) => {
        if (inline !== undefined) {
          const offset = arg.value.length - inline.length;
          list.push(path({ ...arg, value: inline, start: arg.start + offset }));
          return;
        }
        const next = args[k + 1];
        if (next === undefined) return;
        list.push(path(next));
        k++;
      };
      const long = /^(--requirement|--constraint|--editable)(?:=(.*))?$/s.exec(value);
      if (long) {
        const list =
          long[1] === '--requirement'
            ? requirements
            : long[1] === '--constraint'
              ? constraints
              : editables;
        take(list, long[2]);
        continue;
      }
      const short = /^-([rce])(.*)$/s.exec(value);
      if (short) {
        const list = short[1] === 'r' ? requirements : short[1] === 'c' ? constraints : editables;
        take(list, short[2] === '' ? undefined : short[2]);
        continue;
      }
      if (value.startsWith('-')) {
        if (PIP_VALUE_OPTIONS.has(value)) k++;
        continue;
      }
      if (hasSeparator(value) || /^\.\.?(?:\[|$)/.test(value)) {
        packages.push(path(arg));
        continue;
      }
      if (hasUnknown(value)) unresolved = true;
      packages.push(hasUnknown(value) ? this.text.slice(arg.start, arg.end) : value);
    }
    for (const arg of args) covered.add(arg);
    const meta: Record<string, string | string[]> = { installer };
    if (requirements.length > 0) meta.requirements = requirements;
    if (constraints.length > 0) meta.constraints = constraints;
    if (editables.length > 0) meta.editables = editables;
    if (packages.length > 0) meta.packages = packages;
    Object.assign(meta, variableMeta(head));
    const end = args.length > 0 ? args[args.length - 1]!.end : head.end;
    const skip = env.skipReason ?? (unresolved ? ('contains-variable' as SkipReason) : undefined);
    this.add(
      'pip-install',
      head.start,
      end,
      { environment: env.environment, skipReason: skip },
      meta,
    );
  }

  /** `NAME=value`: a variable, PYTHONPATH, PATH with a venv's bin first, a venv variable. */
  private assignment(word: Word, persistent: boolean): void {
    const name = assignmentName(this.text, word)!;
    const append = this.text[word.start + name.length] === '+';
    const prefixLength = name.length + (append ? 2 : 1);
    let value = word.value.slice(prefixLength);
    if (append) value = (this.scope.variables.get(name) ?? UNKNOWN) + value;
    const valueWord: Word = { ...word, value, start: word.start + prefixLength };
    if (name === 'PYTHONPATH') {
      this.pythonpath(word, valueWord);
    } else if (name === 'PATH') {
      this.pathAssignment(word, valueWord, persistent);
    } else {
      this.venvVariable(name, word, valueWord, persistent);
    }
    if (!persistent) return;
    if (hasUnknown(value)) this.scope.variables.delete(name);
    else this.scope.variables.set(name, value);
  }

  private pythonpath(word: Word, valueWord: Word): void {
    const facts = pythonpathFacts(valueWord.value, valueWord.variables, this.scope.cwd);
    const meta: Record<string, string | boolean | string[]> = { paths: facts.paths };
    if (facts.appends) meta.appends = true;
    const env: EnvironmentRef = facts.unresolved
      ? unknownEnvironment()
      : { environment: this.scope.active?.environment ?? ENV_PATH_PYTHON };
    this.add('pythonpath', word.start, word.end, env, meta);
  }

  private pathAssignment(word: Word, valueWord: Word, persistent: boolean): void {
    const first = valueWord.value.split(':')[0] ?? '';
    if (first === '' || hasUnknown(first) || !/(?:^|[/\\])(?:bin|Scripts)$/.test(first)) return;
    const dir = environmentDirOf(`${first}/x`) ?? '.';
    const env = environmentOfDir(locate(dir, this.scope.cwd));
    const viaVariable = valueWord.variables.some((v) => this.scope.venvVariables.has(v));
    if (
      !viaVariable &&
      !this.knownVenvs.has(env.environment) &&
      !isVenvLikeName(lastSegment(dir))
    ) {
      return;
    }
    this.add('venv-activate', word.start, word.end, env, { via: 'PATH' });
    this.remember(env);
    if (persistent) this.scope.active = env;
  }

  private venvVariable(name: string, word: Word, valueWord: Word, persistent: boolean): void {
    let env = classifyVariable(name, valueWord.value, this.scope.cwd, this.scope.active);
    if (env?.skipReason === 'contains-variable') {
      env = this.environmentFromVariables(valueWord) ?? env;
    }
    if (env === undefined) {
      if (persistent) this.scope.venvVariables.delete(name);
      return;
    }
    this.add('venv-variable', word.start, word.end, env, { variable: name });
    this.remember(env);
    if (persistent) this.scope.venvVariables.set(name, env);
  }

  /** Arguments that name an interpreter, and other uses of venv variables. */
  private otherWords(words: Word[], covered: Set<Word>): void {
    for (const whole of words) {
      if (covered.has(whole)) continue;
      // An option with its value inline (`-DPython3_EXECUTABLE=…`, `--python=…`): the
      // path, and the reference, are what follows the `=`.
      const inline = inlineOptionValue(this.text, whole);
      const word = inline?.value ?? whole;
      const value = word.value;
      const last = lastSegment(value);
      if (hasSeparator(value) && !hasUnknown(last) && isPythonName(last) && inBinDir(value)) {
        let env = hasUnknown(value)
          ? (this.environmentFromVariables(word) ?? unknownEnvironment())
          : environmentOfInterpreter(value, this.scope.cwd, null);
        // Inside one quoted word with its option, the path has no span of its own to replace.
        if (inline && !inline.own) env = { ...env, skipReason: env.skipReason ?? 'unsupported' };
        const span = inline && !inline.own ? whole : word;
        this.add('interpreter-path', span.start, span.end, env, variableMeta(word));
        continue;
      }
      const variable = word.variables.find((v) => this.scope.venvVariables.has(v));
      if (variable !== undefined) {
        this.add('venv-variable', word.start, word.end, this.scope.venvVariables.get(variable)!, {
          variable,
          use: true,
        });
      }
    }
  }
}

function unknownEnvironment(reason: SkipReason = 'contains-variable'): EnvironmentRef {
  return { environment: ENV_UNKNOWN, skipReason: reason };
}

/**
 * The value part of an option word written `-DNAME=value`, `-DNAME:TYPE=value` or
 * `--name=value` (the option itself unquoted), as a word of its own; else undefined.
 */
function inlineOptionValue(text: string, word: Word): { value: Word; own: boolean } | undefined {
  const match =
    /^(["']?)(-(?:D[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z]+)?|-?[A-Za-z][A-Za-z0-9_.-]*)=)/.exec(
      text.slice(word.start, Math.min(word.end, word.start + 300)),
    );
  const option = match?.[2];
  if (option === undefined || !word.value.startsWith(option)) return undefined;
  const start = word.start + match![1]!.length + option.length;
  return {
    value: { ...word, start, value: word.value.slice(option.length) },
    // `"-DX=path"`: the option and the path share the quotes.
    own: match![1] === '',
  };
}

/** The name of an assignment word (`NAME=…`, `NAME+=…`, unquoted), else undefined. */
function assignmentName(text: string, word: Word): string | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(text.slice(word.start, word.start + 300));
  return match?.[1];
}

function firstPositional(args: Word[]): Word | undefined {
  return args.find((a) => !a.value.startsWith('-'));
}

function optionValue(args: Word[], names: string[]): Word | undefined {
  for (let k = 0; k < args.length; k++) {
    const value = args[k]!.value;
    if (names.includes(value)) return args[k + 1];
    for (const name of names) {
      if (value.startsWith(`${name}=`)) {
        return { ...args[k]!, value: value.slice(name.length + 1) };
      }
    }
  }
  return undefined;
}

function variableMeta(word: Word): Record<string, string> {
  const [first] = word.variables;
  return first === undefined ? {} : { variable: first };
}
