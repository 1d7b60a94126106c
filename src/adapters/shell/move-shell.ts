import type { RewriteContext, SkippedReference } from '../../core/adopt/types.js';
import type { ScanReference } from '../../core/scan/model.js';
import { isPythonName } from '../../core/shell/paths.js';
import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN } from '../types.js';
import {
  commandIndexAt,
  commandName,
  commandRemoval,
  endsLine,
  guardedLine,
  type IfBlock,
  ifBlockAround,
  indentOf,
  lineEndOf,
  lineStartOf,
  listCommands,
  listed,
  type ShellCommand,
  splitTopLevel,
  startsLine,
} from './commands.js';
import { installStays, skipReasonText } from './installs.js';
import type { Change, Dependent, Plan } from './settle.js';
import { composeWord, type Fragment, moveWord, unquoteWhole } from './words.js';

/**
 * Moves the references the shared shell scanner found in one piece of shell text (a
 * script, a Makefile recipe line, a workflow `run:` step) onto the unified venv. Works on
 * the shell text; the caller says how the venv is spelled at each point and what takes
 * the place of a venv creation, and maps the edits back to its file.
 */

/** A reference and where it lies in the shell text. */
export interface Site {
  reference: ScanReference;
  start: number;
  end: number;
}

/** How an entry of a PYTHONPATH value reads. */
export interface EntryPath {
  /** Repo-relative directory, when it resolves. */
  path?: string;
  /** False when something outside the text can change it (`${BUILD_DIR:-…}`, `$HOME`). */
  sure: boolean;
}

export interface ShellMoveOptions {
  context: RewriteContext;
  /** The unified venv directory as the command at `offset` must spell it. */
  venvAt(offset: number): Fragment | undefined;
  /** An absolute spelling, for `$GITHUB_PATH`. */
  absoluteVenvAt(offset: number): Fragment | undefined;
  /** The lines that take the place of a venv creation. */
  creation(offset: number, site: Site, venv: Fragment): string[];
  creationReason: string;
  /** A bare `python3` from PATH: replaced by the venv's, or moved by an earlier step (CI). */
  bareInterpreter: 'replace' | 'depend';
  /** Why such a `python3` stays when it does not move. */
  bareFallback: string;
  /**
   * Nothing built the venv before this text (a CI job that installs into the runner's
   * Python): the first install of what the lock holds sets the venv up, as a creation would.
   */
  installSetsUp?: boolean;
  /** Venv variables defined outside the text that move (make variables, workflow env). */
  movedVariables?: ReadonlySet<string>;
  /** Venv variables defined outside the text that stay, with why. */
  keptVariables?: ReadonlyMap<string, string>;
  entryPath(raw: string, offset: number): EntryPath;
  /** Why venv creations and installs stay as they are (`initializeCommand` runs on the host). */
  keepSetup?: string;
  /**
   * `uv run [options] python …` becomes the venv's interpreter (a command line handed to a
   * tool, where `uv run` only stood for "the project's Python"); otherwise it stays.
   */
  uvRun?: boolean;
  /** Every interpreter is named `python3` (a `python` too); otherwise `python` stays `python`. */
  python3?: boolean;
}

/** Commands that only test, so an `if` around an install can go with it. */
const TESTS = new Set([
  '[',
  '[[',
  'test',
  'command',
  'type',
  'which',
  'hash',
  'grep',
  'true',
  'false',
]);
/** Commands that only talk, so an `if` body can go with them. */
const TALK = new Set(['echo', 'printf', ':', 'true']);
const PYTHON_OR_PIP = /^(?:python|pypy|pip)(?:\d+(?:\.\d+)*)?$/;
const VARIABLE_USE = /\$[({]?([A-Za-z_][A-Za-z0-9_]*)/g;
function namesUsed(raw: string): string[] {
  return [...raw.matchAll(VARIABLE_USE)].map((m) => m[1]!);
}

function movable(environment: string): boolean {
  return environment !== ENV_UNKNOWN;
}

export function planShellText(
  text: string,
  from: number,
  to: number,
  sites: readonly Site[],
  options: ShellMoveOptions,
): Plan {
  return new ShellMover(text, from, to, sites, options).run();
}

class ShellMover {
  private readonly commands: ShellCommand[];
  private readonly changes: Change[] = [];
  private readonly dependents: Dependent[] = [];
  private readonly skipped: SkippedReference[] = [];
  private readonly notes: string[] = [];
  private readonly consumed = new Set<Site>();
  private readonly context: RewriteContext;
  /** Venv variables that move, and the ones that stay (with why). */
  private readonly moved = new Set<string>();
  private readonly kept = new Map<string, string>();

  constructor(
    private readonly text: string,
    private readonly from: number,
    private readonly to: number,
    private readonly sites: readonly Site[],
    private readonly options: ShellMoveOptions,
  ) {
    this.commands = listCommands(text, from, to);
    this.context = options.context;
  }

  run(): Plan {
    const off = this.sites
      .filter((s) => !s.reference.unified)
      .sort((a, b) => a.start - b.start || a.end - b.end);
    this.variables();
    const keep = this.options.keepSetup;
    if (keep !== undefined) {
      for (const site of off) {
        const { kind } = site.reference;
        if (kind === 'venv-create' || kind === 'pip-install') this.skip(site, keep);
      }
    }
    const creates = off.filter(
      (s) => s.reference.kind === 'venv-create' && !s.reference.skipReason && !this.decided(s),
    );
    // An install whose venv the scanner cannot tell (`uv pip install` with nothing active)
    // still goes when the lock holds what it installs.
    const installs = off.filter(
      (s) =>
        s.reference.kind === 'pip-install' &&
        !this.decided(s) &&
        (s.reference.skipReason === undefined || s.reference.skipReason === 'unsupported'),
    );
    const held = new Map<number, Site>();
    for (const site of installs) {
      const reason = this.heldReason(site);
      const index = commandIndexAt(this.commands, site.start, site.end);
      if (reason !== undefined || index === -1) {
        this.skip(
          site,
          reason ?? skipReasonText({ ...site.reference, skipReason: 'unsupported' }, this.context),
        );
        continue;
      }
      held.set(index, site);
    }
    if (
      this.options.installSetsUp === true &&
      creates.length === 0 &&
      held.size > 0 &&
      !this.runsSetup()
    ) {
      const [index, first] = [...held].sort((a, b) => a[1].start - b[1].start)[0]!;
      held.delete(index);
      this.creation(
        first,
        [first],
        held,
        `pip install → ${this.context.setupScript} (installs the lock)`,
      );
    }
    for (const site of creates) this.creation(site, creates, held);
    for (const [index, site] of held) this.install(site, index, creates, held);
    for (const site of off) {
      if (this.consumed.has(site) || this.decided(site)) continue;
      if (site.reference.meta?.runner === 'uv run' && this.options.uvRun === true) {
        this.uvRun(site);
        continue;
      }
      if (site.reference.skipReason !== undefined) {
        this.skip(site, skipReasonText(site.reference, this.context));
        continue;
      }
      this.other(site);
    }
    return {
      changes: this.changes,
      dependents: this.dependents,
      skipped: this.skipped,
      notes: this.notes,
    };
  }

  /** The text already runs the setup script: nothing else has to set the venv up. */
  private runsSetup(): boolean {
    const script = this.context.setupScript;
    return this.commands.some((c) => {
      const word = c.words[0];
      if (word === undefined) return false;
      const name = this.text.slice(word.start, word.end).replace(/["']/g, '');
      return (
        name === script ||
        name.endsWith(`/${script}`) ||
        name.endsWith(`/${script.split('/').pop()}`)
      );
    });
  }

  private decided(site: Site): boolean {
    return (
      this.skipped.some((s) => s.reference === site.reference) ||
      this.dependents.some((d) => d.reference === site.reference) ||
      this.changes.some((c) => c.references.includes(site.reference))
    );
  }

  private skip(site: Site, reason: string): void {
    this.skipped.push({ reference: site.reference, reason });
  }

  private depend(site: Site, fallback: string): void {
    this.dependents.push({ reference: site.reference, fallback });
  }

  /** `site` moves once `variable` does; the reasons for when it does not. */
  private dependOnVariable(site: Site, variable: string): void {
    const unified = this.context.unifiedVenv;
    this.dependents.push({
      reference: site.reference,
      fallback: `still names ${site.reference.environment} after $${variable} moved: point it at ${unified} by hand`,
      stays: `built from $${variable}, which stays: point it at ${unified} by hand`,
    });
  }

  private change(
    sites: readonly Site[],
    start: number,
    end: number,
    replacement: string,
    reason: string,
    fallback: string,
    note?: string,
  ): void {
    for (const site of sites) this.consumed.add(site);
    const change: Change = {
      edits: [{ start, end, replacement, reason }],
      references: sites.filter((s) => !s.reference.unified).map((s) => s.reference),
      fallback,
    };
    if (note !== undefined) change.note = note;
    this.changes.push(change);
  }

  private raw(site: Site): string {
    return this.text.slice(site.start, site.end);
  }

  // --- venv variables -------------------------------------------------------------------

  private variables(): void {
    const assignments = new Map<string, Site[]>();
    for (const site of this.sites) {
      const { kind, meta } = site.reference;
      if (kind !== 'venv-variable' || meta?.use === true || typeof meta?.variable !== 'string')
        continue;
      const list = assignments.get(meta.variable) ?? [];
      list.push(site);
      assignments.set(meta.variable, list);
    }
    for (const name of this.options.movedVariables ?? []) this.moved.add(name);
    for (const [name, reason] of this.options.keptVariables ?? []) this.kept.set(name, reason);
    for (const [name, list] of assignments) {
      let reason: string | undefined;
      for (const site of list) {
        const reference = site.reference;
        if (reference.unified) continue;
        if (reference.skipReason !== undefined) reason ??= skipReasonText(reference, this.context);
        else if (!movable(reference.environment))
          reason ??= skipReasonText({ ...reference, skipReason: 'unsupported' }, this.context);
        else if (/^[A-Za-z_][A-Za-z0-9_]*\+=/.test(this.raw(site))) {
          reason ??= `appends to $${name}: set it to ${this.context.unifiedVenv} by hand`;
        }
      }
      if (reason === undefined) this.moved.add(name);
      else this.kept.set(name, reason);
    }
    // An assignment built on a venv variable that stays, stays too.
    let changed = true;
    while (changed) {
      changed = false;
      for (const [name, list] of assignments) {
        if (!this.moved.has(name)) continue;
        for (const site of list) {
          const value = this.raw(site).slice(this.raw(site).indexOf('=') + 1);
          const stays = namesUsed(value).find((n) => n !== name && this.kept.has(n));
          if (stays === undefined) continue;
          this.moved.delete(name);
          this.kept.set(
            name,
            `built from $${stays}, which stays: point it at ${this.context.unifiedVenv} by hand`,
          );
          changed = true;
          break;
        }
      }
    }
  }

  /** A moved venv variable the text uses, or the reason a used one stays. */
  private variableOf(raw: string): { moved?: string; kept?: string } {
    for (const name of namesUsed(raw)) {
      if (this.kept.has(name)) return { kept: this.kept.get(name)! };
    }
    for (const name of namesUsed(raw)) {
      if (this.moved.has(name)) return { moved: name };
    }
    return {};
  }

  // --- creation and installs --------------------------------------------------------------

  private heldReason(site: Site): string | undefined {
    const index = commandIndexAt(this.commands, site.start, site.end);
    return installStays(
      site.reference,
      index === -1 ? [] : this.commands[index]!.words,
      this.context,
    );
  }

  private testOnly(commands: readonly ShellCommand[]): boolean {
    return commands.every((c) => {
      const name = commandName(this.text, c.words[0]);
      return TESTS.has(name) || PYTHON_OR_PIP.test(name);
    });
  }

  /** Every command of the block is a creation, a held install or talk; every site in it goes with it. */
  private blockGoes(
    block: IfBlock,
    creates: readonly Site[],
    held: ReadonlyMap<number, Site>,
  ): Site[] | undefined {
    if (!this.testOnly(block.condition)) return undefined;
    const allowed = new Set<ShellCommand>();
    for (const command of block.body) {
      const index = this.commands.indexOf(command);
      const create = creates.some((s) => command.start <= s.start && s.end <= command.end);
      const talk = TALK.has(commandName(this.text, command.words[0]));
      if (!create && !held.has(index) && !talk) return undefined;
      allowed.add(command);
    }
    for (const command of block.condition) allowed.add(command);
    const inside = this.sites.filter((s) => s.start >= block.start && s.end <= block.end);
    for (const site of inside) {
      const within = [...allowed].some((c) => c.start <= site.start && site.end <= c.end);
      if (!within) return undefined;
    }
    return inside;
  }

  private creation(
    site: Site,
    creates: readonly Site[],
    held: ReadonlyMap<number, Site>,
    reason = this.options.creationReason,
  ): void {
    if (this.consumed.has(site)) return;
    const index = commandIndexAt(this.commands, site.start, site.end);
    const venv = this.options.venvAt(site.start);
    if (index === -1 || venv === undefined) {
      this.skip(site, this.unknownDirectory());
      return;
    }
    const lines = this.options.creation(site.start, site, venv);
    const fallback = `could not replace this venv creation cleanly: replace it with ${this.context.setupScript} by hand`;
    const block = ifBlockAround(this.text, this.commands, index, this.from, this.to);
    const goes = block === undefined ? undefined : this.blockGoes(block, creates, held);
    if (block !== undefined && goes !== undefined) {
      this.change(
        goes,
        block.start,
        block.end,
        lines.map((l) => block.indent + l).join('\n'),
        reason,
        fallback,
      );
      return;
    }
    const guard = guardedLine(this.text, this.commands, index);
    const guardCreates = creates.some(
      (s) =>
        guard !== undefined && guard.condition.start <= s.start && s.end <= guard.condition.end,
    );
    if (guard !== undefined && this.testOnly([guard.condition]) && !guardCreates) {
      const start = lineStartOf(this.text, guard.condition.start);
      const end = lineEndOf(this.text, this.commands[index]!.end);
      const inside = this.sites.filter((s) => s.start >= start && s.end <= end);
      this.change(
        inside,
        start,
        end,
        lines.map((l) => guard.indent + l).join('\n'),
        reason,
        fallback,
      );
      return;
    }
    const command = this.commands[index]!;
    const inside = this.sites.filter((s) => s.start >= command.start && s.end <= command.end);
    const alone = startsLine(this.text, command.start) && endsLine(this.text, command.end);
    const indent = indentOf(this.text, command.start);
    const replacement = alone ? lines.join(`\n${indent}`) : lines.join(' && ');
    this.change(inside, command.start, command.end, replacement, reason, fallback);
  }

  private install(
    site: Site,
    index: number,
    creates: readonly Site[],
    held: ReadonlyMap<number, Site>,
  ): void {
    if (this.consumed.has(site)) return;
    const reason = `pip install removed: ${this.context.lockFile} holds it`;
    const fallback = `could not remove this install cleanly: ${this.context.setupScript} installs the lock, remove it by hand`;
    const block = ifBlockAround(this.text, this.commands, index, this.from, this.to);
    const goes = block === undefined ? undefined : this.blockGoes(block, creates, held);
    if (block !== undefined && goes !== undefined && !goes.some((s) => creates.includes(s))) {
      this.change(goes, block.removal.start, block.removal.end, '', reason, fallback);
      return;
    }
    // Installs next to each other in one list (`a && pip … && pip …`) go together.
    const goesToo = (i: number) => {
      const other = held.get(i);
      return other !== undefined && !this.consumed.has(other);
    };
    // So do installs on the lines right after each other (their removals would meet).
    const together = (left: ShellCommand, right: ShellCommand) =>
      listed(this.text, left, right) ||
      /^[ \t]*;?[ \t]*\r?\n[ \t]*$/.test(this.text.slice(left.end, right.start));
    let first = index;
    let last = index;
    while (
      first > 0 &&
      goesToo(first - 1) &&
      together(this.commands[first - 1]!, this.commands[first]!)
    )
      first--;
    while (goesToo(last + 1) && together(this.commands[last]!, this.commands[last + 1]!)) last++;
    let removal = commandRemoval(this.text, this.commands, first, last, this.from, this.to);
    if (removal === undefined && first !== index) {
      // The list cannot go whole (it follows a pipe): from this install on it may.
      first = index;
      removal = commandRemoval(this.text, this.commands, first, last, this.from, this.to);
    }
    if (removal === undefined) {
      this.skip(
        site,
        `part of a pipe or an || list: ${this.context.setupScript} installs the lock, remove it by hand`,
      );
      return;
    }
    const start = this.commands[first]!.start;
    const end = this.commands[last]!.end;
    const inside = this.sites.filter((s) => s.start >= start && s.end <= end);
    this.change(inside, removal.start, removal.end, removal.replacement, reason, fallback);
  }

  private unknownDirectory(): string {
    return `runs where onevenv cannot tell the directory (after a cd it cannot follow): point it at ${this.context.unifiedVenv} by hand`;
  }

  // --- everything else --------------------------------------------------------------------

  private other(site: Site): void {
    const reference = site.reference;
    switch (reference.kind) {
      case 'venv-activate':
        this.activation(site);
        return;
      case 'python-command':
      case 'interpreter-path':
        this.interpreter(site);
        return;
      case 'venv-variable':
        if (reference.meta?.use === true) this.variableUse(site);
        else this.assignment(site);
        return;
      case 'pythonpath':
        this.pythonpath(site);
        return;
      default:
        this.skip(site, skipReasonText({ ...reference, skipReason: 'unsupported' }, this.context));
    }
  }

  /** Replaces the site's word, or decides it moves with a variable, or skips it. */
  private word(
    site: Site,
    start: number,
    end: number,
    moveTo: () => string | undefined,
    reason: string | ((replacement: string) => string),
  ): void {
    const raw = this.text.slice(start, end);
    const variable = this.variableOf(raw);
    if (variable.kept !== undefined) {
      this.skip(site, variable.kept);
      return;
    }
    if (variable.moved !== undefined) {
      this.dependOnVariable(site, variable.moved);
      return;
    }
    const replacement = moveTo();
    if (replacement === undefined) {
      this.skip(
        site,
        skipReasonText({ ...site.reference, skipReason: 'unsupported' }, this.context),
      );
      return;
    }
    this.change(
      [site],
      start,
      end,
      replacement,
      typeof reason === 'string' ? reason : reason(replacement),
      `could not move it: point it at ${this.context.unifiedVenv} by hand`,
    );
  }

  private activation(site: Site): void {
    const reference = site.reference;
    const unified = this.context.unifiedVenv;
    const reason = `activation → ${unified}`;
    if (reference.meta?.via === 'GITHUB_PATH') {
      this.word(
        site,
        site.start,
        site.end,
        () => {
          const venv = this.options.absoluteVenvAt(site.start);
          return venv === undefined
            ? undefined
            : composeWord(venv, '/bin', unquoteWhole(this.raw(site)).quote || '"');
        },
        reason,
      );
      return;
    }
    if (reference.meta?.via === 'PATH') {
      const raw = this.raw(site);
      const eq = raw.indexOf('=');
      const value = raw.slice(eq + 1);
      const { quote, body } = unquoteWhole(value);
      const first = splitTopLevel(body, (c) => c === ':')[0]!;
      const start = site.start + eq + 1 + quote.length + first.start;
      this.word(
        site,
        start,
        start + first.text.length,
        () => {
          const inner = moveWord(
            first.text,
            reference.environment,
            unified,
            () => this.options.venvAt(site.start),
            this.options.python3,
          );
          if (inner === undefined) return undefined;
          // Inside the value's own quotes the entry takes no quotes of its own.
          if (quote === '"')
            return unquoteWhole(inner).quote === '"' ? unquoteWhole(inner).body : inner;
          return inner;
        },
        reason,
      );
      return;
    }
    this.word(
      site,
      site.start,
      site.end,
      () =>
        moveWord(
          this.raw(site),
          reference.environment,
          unified,
          () => this.options.venvAt(site.start),
          this.options.python3,
        ),
      reason,
    );
  }

  private interpreter(site: Site): void {
    const reference = site.reference;
    const raw = this.raw(site);
    const environment = reference.environment;
    const bare = !/[/\\$`]/.test(raw);
    // What the word now runs: `interpreter → python/.venv/bin/python3`, `pytest → python/.venv`.
    const reason = (replacement: string) => {
      const name = unquoteWhole(replacement).body.split('/').pop() ?? '';
      const unified = this.context.unifiedVenv;
      if (isPythonName(name)) return `interpreter → ${unified}/bin/${name}`;
      return reference.kind === 'python-command' && !/[$`"']/.test(name)
        ? `${name} → ${unified}`
        : `interpreter → ${unified}`;
    };
    if (environment.includes('=')) {
      // `-DPython3_EXECUTABLE=…/bin/python3`: the scanner read the option and the path as one.
      this.skip(
        site,
        `an option glued to the interpreter path: change it to ${this.context.interpreter} by hand`,
      );
      return;
    }
    if (!bare) {
      this.word(
        site,
        site.start,
        site.end,
        () =>
          moveWord(
            raw,
            environment,
            this.context.unifiedVenv,
            () => this.options.venvAt(site.start),
            this.options.python3,
          ),
        reason,
      );
      return;
    }
    if (environment !== ENV_PATH_PYTHON && environment !== ENV_SYSTEM) {
      // A bare name runs the venv activated before it: it moves with that activation.
      this.depend(
        site,
        `runs the venv activated before it (${environment}), which stays: move that activation by hand`,
      );
      return;
    }
    if (this.options.bareInterpreter === 'depend') {
      this.depend(site, this.options.bareFallback);
      return;
    }
    const { quote, body } = unquoteWhole(raw);
    const name = body === 'python' && this.options.python3 !== true ? 'python' : 'python3';
    this.word(
      site,
      site.start,
      site.end,
      () => {
        const venv = this.options.venvAt(site.start);
        return venv === undefined ? undefined : composeWord(venv, `/bin/${name}`, quote);
      },
      reason,
    );
  }

  /** `uv run [options] python …` → the venv's interpreter, unless an option asks for more. */
  private uvRun(site: Site): void {
    const interpreter = this.context.interpreter;
    const manual = `runs through uv run, which picks an environment of its own: call ${interpreter} by hand`;
    const index = commandIndexAt(this.commands, site.start, site.end);
    const words = index === -1 ? [] : this.commands[index]!.words;
    const at = words.findIndex((w) => w.start <= site.start && site.end <= w.end);
    const uv = words.findIndex((w, i) => i < at && commandName(this.text, w) === 'uv');
    const options = words.slice(uv + 2, at).map((w) => w.value);
    if (
      at === -1 ||
      uv === -1 ||
      words[uv + 1]?.value !== 'run' ||
      options.some((o) => /^--(?:with|directory|script|isolated)\b/.test(o))
    ) {
      this.skip(site, manual);
      return;
    }
    const venv = this.options.venvAt(site.start);
    if (venv === undefined) {
      this.skip(site, this.unknownDirectory());
      return;
    }
    this.change(
      [site],
      words[uv]!.start,
      site.end,
      composeWord(venv, '/bin/python3', ''),
      `uv run → ${interpreter}`,
      manual,
    );
  }

  private variableUse(site: Site): void {
    const name = site.reference.meta?.variable;
    if (typeof name !== 'string' || !this.moved.has(name)) {
      this.skip(
        site,
        (typeof name === 'string' ? this.kept.get(name) : undefined) ??
          skipReasonText({ ...site.reference, skipReason: 'unsupported' }, this.context),
      );
      return;
    }
    const index = commandIndexAt(this.commands, site.start, site.end);
    const command = index === -1 ? undefined : this.commands[index]!;
    const head = commandName(this.text, command?.words[0]);
    if (command === undefined || (head !== 'rm' && head !== 'rmdir')) {
      this.dependOnVariable(site, name);
      return;
    }
    // `rm -rf "$VENV"` would now delete the shared venv: the operand goes.
    const operands = command.words.slice(1).filter((w) => !w.value.startsWith('-'));
    const note = `${this.raw(site)} taken out of ${head} at line ${this.lineOf(site.start)}: it would now delete ${this.context.unifiedVenv}`;
    const fallback = `removes the venv: now that $${name} names ${this.context.unifiedVenv}, take it out by hand`;
    if (operands.length === 1) {
      const removal = commandRemoval(this.text, this.commands, index, index, this.from, this.to);
      if (removal === undefined) {
        this.skip(site, fallback);
        return;
      }
      const inside = this.sites.filter((s) => s.start >= command.start && s.end <= command.end);
      this.change(
        inside,
        removal.start,
        removal.end,
        removal.replacement,
        `${head} of the old venv removed`,
        fallback,
        note,
      );
      return;
    }
    const word = command.words.find((w) => w.start <= site.start && site.end <= w.end)!;
    const position = command.words.indexOf(word);
    const previous = command.words[position - 1]!;
    this.change(
      [site],
      previous.end,
      word.end,
      '',
      `${head} of the old venv removed`,
      fallback,
      note,
    );
  }

  private lineOf(offset: number): number {
    let line = 1;
    for (
      let i = this.text.indexOf('\n');
      i !== -1 && i < offset;
      i = this.text.indexOf('\n', i + 1)
    )
      line++;
    return line;
  }

  private assignment(site: Site): void {
    const name = site.reference.meta?.variable;
    if (typeof name !== 'string' || !this.moved.has(name)) {
      this.skip(
        site,
        (typeof name === 'string' ? this.kept.get(name) : undefined) ??
          skipReasonText({ ...site.reference, skipReason: 'unsupported' }, this.context),
      );
      return;
    }
    const raw = this.raw(site);
    const eq = raw.indexOf('=');
    const value = raw.slice(eq + 1);
    const used = this.variableOf(value);
    if (used.moved !== undefined) {
      this.dependOnVariable(site, used.moved);
      return;
    }
    const start = site.start + eq + 1;
    const environment = site.reference.environment;
    const reason = `$${name} → ${this.context.unifiedVenv}`;
    const fallback = `could not move $${name}: set it to ${this.context.unifiedVenv} by hand`;
    const { quote, body } = unquoteWhole(value);
    const words = splitTopLevel(body, (c) => c === ' ' || c === '\t');
    const first = words[0]!.text;
    const rest = body.slice(first.length);
    const venv = () => this.options.venvAt(site.start);
    let moved: string | undefined;
    const bareInterpreter = !/[/\\]/.test(first);
    if (
      (environment === ENV_PATH_PYTHON || environment === ENV_SYSTEM) &&
      (bareInterpreter || first.startsWith('$'))
    ) {
      if (this.options.bareInterpreter === 'depend' && bareInterpreter) {
        this.depend(site, this.options.bareFallback);
        return;
      }
      const fragment = venv();
      moved =
        fragment === undefined
          ? undefined
          : composeWord(fragment, '/bin/python3', quote === '' ? '' : '"');
      if (moved !== undefined && quote !== '') moved = unquoteWhole(moved).body;
    } else {
      moved = moveWord(first, environment, this.context.unifiedVenv, venv, this.options.python3);
    }
    if (moved === undefined) {
      this.skip(site, fallback);
      return;
    }
    let replacement: string;
    if (quote === '') {
      replacement = `${moved}${rest}`;
    } else {
      const inner = unquoteWhole(moved);
      if (quote === "'" && (inner.quote === '"' || /[$`]/.test(moved))) {
        if (/["$`\\]/.test(rest)) {
          this.skip(site, fallback);
          return;
        }
        replacement = `"${inner.quote === '"' ? inner.body : moved}${rest}"`;
      } else {
        replacement = `${quote}${inner.quote === '' ? moved : inner.body}${rest}${quote}`;
      }
    }
    this.change([site], start, site.end, replacement, reason, fallback);
  }

  private pythonpath(site: Site): void {
    const raw = this.raw(site);
    const eq = raw.indexOf('=');
    const value = raw.slice(eq + 1);
    const { quote, body } = unquoteWhole(value);
    const paths = new Set(this.context.paths);
    type Entry = { text: string; kind: 'existing' | 'covered' | 'unsure' | 'kept'; path?: string };
    const entries = splitTopLevel(body, (c) => c === ':').map((entry): Entry => {
      const text = entry.text;
      if (text === '' || /^\$\{?PYTHONPATH(?:[:]?[-=+?][^}]*)?\}?$/.test(text)) {
        return { text, kind: 'existing' };
      }
      const read = this.options.entryPath(quote === '"' ? `"${text}"` : text, site.start);
      if (read.path !== undefined && paths.has(read.path)) {
        return { text, kind: read.sure ? 'covered' : 'unsure', path: read.path };
      }
      return { text, kind: 'kept' };
    });
    const covered = entries.filter((e) => e.kind === 'covered');
    const unsure = entries.filter((e) => e.kind === 'unsure');
    for (const entry of unsure) {
      this.notes.push(
        `PYTHONPATH entry ${entry.text} kept: it can be set from outside; ${this.context.unifiedVenv} already has ${entry.path} on sys.path`,
      );
    }
    const quoteMixed = quote === '' && /["']/.test(body);
    if (covered.length === 0 || quoteMixed) {
      this.depend(
        site,
        `PYTHONPATH kept, and what runs here is not ${this.context.unifiedVenv}: remove it by hand once it is`,
      );
      return;
    }
    const removedText = covered.map((e) => e.text).join(', ');
    const reason = `PYTHONPATH ${removedText} removed: ${this.context.unifiedVenv} has ${covered.map((e) => e.path).join(', ')} on sys.path`;
    const remaining = entries.filter((e) => e.kind !== 'covered');
    const has = `${this.context.unifiedVenv} has ${covered.map((e) => e.path).join(', ')} on sys.path`;
    const fallback = remaining.every((e) => e.kind === 'existing')
      ? `PYTHONPATH can go: ${has}; remove it by hand`
      : `${removedText} can go from this PYTHONPATH (${has}); the rest is for what runs without the venv`;
    if (remaining.every((e) => e.kind === 'existing')) {
      const removal = this.assignmentRemoval(site);
      if (removal === undefined) {
        this.skip(site, fallback);
        return;
      }
      this.change([site], removal.start, removal.end, removal.replacement, reason, fallback);
      return;
    }
    const start = site.start + eq + 1;
    this.change(
      [site],
      start,
      site.end,
      `${quote}${remaining.map((e) => e.text).join(':')}${quote}`,
      reason,
      fallback,
    );
  }

  /** `export PYTHONPATH=…` → the command goes; `PYTHONPATH=… cmd` → the word goes. */
  private assignmentRemoval(
    site: Site,
  ): { start: number; end: number; replacement: string } | undefined {
    const index = commandIndexAt(this.commands, site.start, site.end);
    if (index === -1) return undefined;
    const command = this.commands[index]!;
    const words = command.words;
    const position = words.findIndex((w) => w.start <= site.start && site.end <= w.end);
    if (position === -1) return undefined;
    const head = commandName(this.text, words[0]);
    const declaration = ['export', 'declare', 'typeset', 'local', 'readonly'].includes(head);
    const others = words.filter(
      (w, i) => i !== position && !(declaration && i === 0) && !/^-/.test(w.value),
    );
    if (others.length === 0)
      return commandRemoval(this.text, this.commands, index, index, this.from, this.to);
    const word = words[position]!;
    if (position + 1 < words.length && !declaration) {
      return { start: word.start, end: words[position + 1]!.start, replacement: '' };
    }
    return { start: words[position - 1]!.end, end: word.end, replacement: '' };
  }
}
