import type { AdoptFacts, SkippedReference } from '../../core/adopt/types.js';
import { normalizeName } from '../../core/pep508.js';
import type { ScanReference } from '../../core/scan/model.js';
import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN, type ReferenceKind } from '../types.js';
import { isPythonName } from './paths.js';
import { relativePath, rewriteVenvPath } from './rewrite-paths.js';

/**
 * Moves what the shared shell scanner found in one piece of shell text (an MCP `sh -c`
 * script, a VS Code task, a devcontainer lifecycle command, a code block of a doc) onto
 * the unified venv. It works on the shell text itself: the caller maps its splices back
 * to the file (a JSON string re-escapes them, a doc takes them as they are).
 *
 * - venv creation becomes `python/setup.sh`; so does a `pip install` of what the lock
 *   holds, unless setup.sh already runs earlier in the same text, in which case the
 *   install goes, with its `&&`/`;`, or its whole line;
 * - interpreter paths, activation, venv variables and `PATH=…/bin:` move to the unified
 *   venv, keeping how they are spelled;
 * - a bare `python3` becomes the unified interpreter as seen from the directory the
 *   command runs in;
 * - `PYTHONPATH=` whose entries the venv now puts on sys.path (`paths`) goes.
 */

export interface ShellFindingInput {
  reference: ScanReference;
  /** What the scanner saw (a doc mention carries it in `meta.command`). */
  kind: ReferenceKind;
  /** Offsets into the unit's text. */
  start: number;
  end: number;
}

export interface ShellUnit {
  text: string;
  findings: ShellFindingInput[];
  /** Repo-relative directory the text starts in; undefined when not known. */
  cwd?: string;
  /**
   * Spelling of the repository root for when the current directory is not known (after a
   * `cd`): `${workspaceFolder}`. Without it such a finding is skipped.
   */
  root?: string;
  /** Why venv creation and installs must stay (`initializeCommand` runs on the host). */
  keepSetup?: string;
  /** Where the block holding `offset` starts, so a `cd` in an earlier block does not count. */
  scopeStart?: (offset: number) => number;
}

export interface ShellSplice {
  start: number;
  end: number;
  replacement: string;
  reason: string;
}

export interface ShellRewrite {
  splices: ShellSplice[];
  skipped: SkippedReference[];
}

type Facts = Pick<
  AdoptFacts,
  'unifiedVenv' | 'interpreter' | 'setupScript' | 'declaredPackages' | 'editables' | 'paths'
>;

/** What the user reads for a reference the adapter itself marked as not movable. */
export function skipReasonText(
  reference: ScanReference,
  facts: Pick<Facts, 'unifiedVenv'>,
): string {
  switch (reference.skipReason) {
    case 'contains-variable':
      return `built from a variable onevenv cannot resolve: point it at ${facts.unifiedVenv} by hand`;
    case 'external-interpreter':
      return `names ${reference.environment}, outside the repository: left as it is`;
    case 'parse-error':
      return 'the file could not be parsed: fix it and run adopt again';
    default:
      return `onevenv does not rewrite this form: move it to ${facts.unifiedVenv} by hand`;
  }
}

/** Packages setup.sh brings along with the lock, or that no lock needs to hold. */
const INSTALLER_PACKAGES = new Set(['pip', 'setuptools', 'wheel', 'uv']);

function metaList(reference: ScanReference, key: string): string[] {
  const value = reference.meta?.[key];
  return Array.isArray(value) ? value : [];
}

/** The packages of a `pip install` the lock does not cover, or [] when it covers them all. */
export function uncoveredInstalls(reference: ScanReference, facts: Facts): string[] {
  const declared = new Set(facts.declaredPackages);
  const editables = new Set(facts.editables);
  const missing: string[] = [];
  for (const path of metaList(reference, 'editables')) {
    if (!editables.has(path.replace(/\[[^\]]*\]$/, ''))) missing.push(`-e ${path}`);
  }
  for (const spec of metaList(reference, 'packages')) {
    // A directory (`pip install .` in replay/ reads as `replay`) is covered as an editable.
    if (editables.has(spec.replace(/\[[^\]]*\]$/, ''))) continue;
    const local = /[/\\]|^\.\.?(?:\[|$)/.test(spec) && !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(spec);
    if (local) {
      missing.push(spec);
      continue;
    }
    const name = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/.exec(spec.trim())?.[0];
    if (name === undefined) {
      missing.push(spec);
      continue;
    }
    const normalized = normalizeName(name);
    if (!declared.has(normalized) && !INSTALLER_PACKAGES.has(normalized)) missing.push(spec);
  }
  // Requirement files were read into the declaration by adopt (every dependency source scan found).
  return missing;
}

/** PYTHONPATH entries the venv's .pth does not provide. */
export function uncoveredPaths(reference: ScanReference, facts: Facts): string[] {
  const paths = new Set(facts.paths);
  return metaList(reference, 'paths').filter((path) => !paths.has(path));
}

interface Boundary {
  /** 'start'/'line': nothing before on the line; 'list': `&&` or `;`; 'other': a pipe, `||`, `(`… */
  kind: 'start' | 'line' | 'list' | 'other';
  /** Where the separator starts (left) or ends (right), blanks around it included. */
  outer: number;
  /** Where the command starts (left) or ends (right), blanks excluded. */
  inner: number;
}

function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

/** The command holding [start, end): the separators around it and its own extent. */
function commandBounds(
  text: string,
  start: number,
  end: number,
): { left: Boundary; right: Boundary } {
  let i = start - 1;
  let left: Boundary | undefined;
  while (i >= 0) {
    const ch = text[i]!;
    if (ch === '\n' && text[i - 1] !== '\\' && !(text[i - 1] === '\r' && text[i - 2] === '\\')) {
      left = { kind: 'line', outer: i + 1, inner: i + 1 };
      break;
    }
    if (ch === ';' || (ch === '&' && text[i - 1] === '&')) {
      const sepStart = ch === ';' ? i : i - 1;
      let outer = sepStart;
      while (isBlank(text[outer - 1])) outer--;
      left = { kind: 'list', outer, inner: i + 1 };
      break;
    }
    if ('|&({`'.includes(ch)) {
      left = { kind: 'other', outer: i + 1, inner: i + 1 };
      break;
    }
    i--;
  }
  left ??= { kind: 'start', outer: 0, inner: 0 };
  while (isBlank(text[left.inner])) left.inner++;
  if (left.kind === 'start' || left.kind === 'line') {
    // A doc's `$ ` prompt belongs to the line, not to the command.
    const prompt = /^[ \t]*(?:>[ \t]*)?\$ /.exec(text.slice(left.inner, start));
    if (prompt) left.inner += prompt[0].length;
  }
  let j = end;
  let right: Boundary | undefined;
  while (j < text.length) {
    const ch = text[j]!;
    if (ch === '\r' && text[j + 1] === '\n') {
      right = { kind: 'line', outer: j, inner: j };
      break;
    }
    if (ch === '\n') {
      right = { kind: 'line', outer: j, inner: j };
      break;
    }
    if (ch === '#' && isBlank(text[j - 1])) {
      right = { kind: 'line', outer: j, inner: j };
      break;
    }
    if (ch === ';' || (ch === '&' && text[j + 1] === '&')) {
      let outer = j + (ch === ';' ? 1 : 2);
      while (isBlank(text[outer])) outer++;
      right = { kind: 'list', outer, inner: j };
      break;
    }
    if ('|&)}`'.includes(ch)) {
      right = { kind: 'other', outer: j, inner: j };
      break;
    }
    j++;
  }
  right ??= { kind: 'start', outer: text.length, inner: text.length };
  while (right.inner > end && isBlank(text[right.inner - 1])) right.inner--;
  return { left, right };
}

/** The range that removes the command holding [start, end), or undefined when it cannot go cleanly. */
function commandRemoval(
  text: string,
  start: number,
  end: number,
): { start: number; end: number } | undefined {
  const { left, right } = commandBounds(text, start, end);
  if (left.kind === 'other' || right.kind === 'other') return undefined;
  if (left.kind === 'list') return { start: left.outer, end: right.inner };
  if (right.kind === 'list') return { start: left.inner, end: right.outer };
  // Alone on its line: the line goes, with its line ending (or the one before it at the end).
  const lineStart = text.lastIndexOf('\n', left.inner - 1) + 1;
  const newline = text.indexOf('\n', right.inner);
  if (newline !== -1) return { start: lineStart, end: newline + 1 };
  if (lineStart === 0) return undefined;
  const before = text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
  return { start: before, end: text.length };
}

const CD = /^(?:cd|pushd|popd)(?=[\s;&|)]|$)/;

/**
 * Where the last `cd`/`pushd`/`popd` before `offset` that still counts there sits (one in
 * a `( … )` or `$( … )` that closed before does not), and the subshells that closed.
 */
function directoryChanges(
  text: string,
  from: number,
  offset: number,
): { lastCd: number; closed: Array<{ start: number; end: number }> } {
  const levels: Array<{ open: number; cds: number[] }> = [{ open: from, cds: [] }];
  const closed: Array<{ start: number; end: number }> = [];
  let quote: string | undefined;
  for (let i = from; i < offset; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      continue;
    }
    if (ch === '(') {
      levels.push({ open: i, cds: [] });
      continue;
    }
    if (ch === ')' && levels.length > 1) {
      closed.push({ start: levels.pop()!.open, end: i });
      continue;
    }
    const atWordStart = i === from || /[\s;&|(]/.test(text[i - 1]!);
    if (atWordStart && CD.test(text.slice(i, i + 6))) levels[levels.length - 1]!.cds.push(i);
  }
  const lastCd = Math.max(-1, ...levels.flatMap((level) => level.cds));
  return { lastCd, closed };
}

class UnitRewriter {
  private splices: ShellSplice[] = [];
  private skipped: Array<SkippedReference & { start: number }> = [];
  /** Commands replaced or removed whole: findings inside them go with them. */
  private readonly consumed: Array<{ start: number; end: number }> = [];
  /** Directories commands were seen running in (from relative venv paths), by offset. */
  private readonly seenCwds: Array<{ at: number; cwd: string }> = [];
  /** Environments activated by a handled activation, with where. */
  private readonly activations: Array<{ at: number; environment: string }> = [];
  /** Venv variables whose assignment is handled, with the venv they named. */
  private readonly variables = new Map<string, string>();
  private setupAt: number | undefined;

  constructor(
    private readonly unit: ShellUnit,
    private readonly facts: Facts,
  ) {}

  run(): ShellRewrite {
    const findings = [...this.unit.findings].sort((a, b) => a.start - b.start || a.end - b.end);
    for (const finding of findings) {
      const inside = this.consumed.some(
        (range) => finding.start >= range.start && finding.end <= range.end,
      );
      if (inside) continue;
      if (finding.reference.unified) {
        this.noteUnified(finding);
        continue;
      }
      this.rewrite(finding);
    }
    return {
      splices: this.splices,
      skipped: this.skipped.map(({ reference, reason }) => ({ reference, reason })),
    };
  }

  private skip(finding: ShellFindingInput, reason: string): void {
    this.skipped.push({ reference: finding.reference, reason, start: finding.start });
  }

  private splice(start: number, end: number, replacement: string, reason: string): void {
    this.splices.push({ start, end, replacement, reason });
  }

  /** Replaces or removes a whole command: what was decided inside it goes with it. */
  private replaceCommand(start: number, end: number, replacement: string, reason: string): void {
    let from = start;
    let to = end;
    if (replacement === '') {
      // Removals that meet (`a && b` both going) become one, so their `&&` is not taken twice;
      // a line they empty goes with its line ending.
      for (const splice of this.splices) {
        if (splice.replacement !== '' || splice.end < from || splice.start > to) continue;
        from = Math.min(from, splice.start);
        to = Math.max(to, splice.end);
      }
      const text = this.unit.text;
      // Only for a range that starts a line and stops short of its end (merged removals).
      const partial =
        to > from &&
        (from === 0 || text[from - 1] === '\n') &&
        !/[\r\n]/.test(text[from]!) &&
        text[to - 1] !== '\n';
      const lineEnd = text[to] === '\n' ? 1 : text.startsWith('\r\n', to) ? 2 : 0;
      if (partial && lineEnd > 0) to += lineEnd;
      else if (partial && to === text.length && from > 0) {
        from -= text[from - 2] === '\r' ? 2 : 1;
      }
    }
    this.splices = this.splices.filter((splice) => splice.start < from || splice.end > to);
    this.skipped = this.skipped.filter((entry) => entry.start < from || entry.start >= to);
    this.consumed.push({ start: from, end: to });
    this.splice(from, to, replacement, reason);
  }

  private written(finding: ShellFindingInput): string {
    return this.unit.text.slice(finding.start, finding.end);
  }

  private noteUnified(finding: ShellFindingInput): void {
    if (finding.kind === 'venv-activate') {
      this.activations.push({ at: finding.start, environment: finding.reference.environment });
    }
    if (finding.kind === 'venv-variable' && finding.reference.meta?.use !== true) {
      const variable = finding.reference.meta?.variable;
      if (typeof variable === 'string') this.variables.set(variable, finding.reference.environment);
    }
  }

  private rewrite(finding: ShellFindingInput): void {
    const reference = finding.reference;
    if (finding.kind === 'python-command' && reference.meta?.runner === 'uv run') {
      this.uvRun(finding);
      return;
    }
    if (reference.skipReason !== undefined && reference.skipReason !== 'documentation') {
      this.skip(finding, skipReasonText(reference, this.facts));
      return;
    }
    switch (finding.kind) {
      case 'venv-create':
        this.setup(finding, `venv creation → ${this.facts.setupScript}`);
        return;
      case 'pip-install': {
        const missing = uncoveredInstalls(reference, this.facts);
        if (missing.length > 0) {
          this.skip(
            finding,
            `installs ${missing.join(', ')}, which ${this.facts.setupScript} does not: declare ${missing.length === 1 ? 'it' : 'them'} (onevenv add) and remove this install`,
          );
          return;
        }
        this.setup(finding, `pip install → ${this.facts.setupScript} (installs the lock)`);
        return;
      }
      case 'venv-activate':
        this.activation(finding);
        return;
      case 'python-command':
      case 'interpreter-path':
        this.interpreter(finding);
        return;
      case 'venv-variable':
        this.venvVariable(finding);
        return;
      case 'pythonpath':
        this.pythonpath(finding);
        return;
      default:
        this.skip(finding, skipReasonText({ ...reference, skipReason: 'unsupported' }, this.facts));
    }
  }

  /** The directory the command at `offset` runs in, when it can be told. */
  private cwdAt(offset: number): string | undefined {
    const from = this.unit.scopeStart?.(offset) ?? 0;
    const { lastCd, closed } = directoryChanges(this.unit.text, from, offset);
    if (lastCd === -1) return this.unit.cwd;
    const seen = this.seenCwds
      .filter((entry) => entry.at > lastCd && entry.at <= offset)
      .filter((entry) => !closed.some((range) => entry.at > range.start && entry.at < range.end))
      .pop();
    return seen?.cwd;
  }

  /** A repo-relative file as the command at `offset` must spell it. */
  private spell(path: string, offset: number): string | undefined {
    const cwd = this.cwdAt(offset);
    if (cwd !== undefined) {
      const relative = relativePath(cwd, path);
      return relative.includes('/') ? relative : `./${relative}`;
    }
    return this.unit.root === undefined ? undefined : `"${this.unit.root}/${path}"`;
  }

  private unknownCwd(finding: ShellFindingInput): void {
    this.skip(
      finding,
      `runs after a cd onevenv cannot follow: point it at ${this.facts.unifiedVenv} by hand`,
    );
  }

  private setup(finding: ShellFindingInput, reason: string): void {
    if (this.unit.keepSetup !== undefined) {
      this.skip(finding, this.unit.keepSetup);
      return;
    }
    const text = this.unit.text;
    const scope = this.unit.scopeStart?.(finding.start) ?? 0;
    if (this.setupAt !== undefined && this.setupAt >= scope) {
      const removal = commandRemoval(text, finding.start, finding.end);
      if (removal) {
        const what = finding.kind === 'venv-create' ? 'venv creation' : 'pip install';
        this.replaceCommand(
          removal.start,
          removal.end,
          '',
          `${what} removed: ${this.facts.setupScript} does it`,
        );
        return;
      }
    }
    // Where a created venv lies tells the directory the command runs in.
    const target = finding.reference.meta?.path;
    if (finding.kind === 'venv-create' && typeof target === 'string') {
      const moved = rewriteVenvPath(target, finding.reference.environment, this.facts.unifiedVenv);
      if (moved?.cwd !== undefined) this.seenCwds.push({ at: finding.start, cwd: moved.cwd });
    }
    const script = this.spell(this.facts.setupScript, finding.start);
    if (script === undefined) {
      this.unknownCwd(finding);
      return;
    }
    const { left, right } = commandBounds(text, finding.start, finding.end);
    this.replaceCommand(left.inner, Math.max(right.inner, finding.end), script, reason);
    this.setupAt = finding.start;
  }

  private moved(finding: ShellFindingInput, written: string): string | undefined {
    const moved = rewriteVenvPath(written, finding.reference.environment, this.facts.unifiedVenv);
    if (moved?.cwd !== undefined) this.seenCwds.push({ at: finding.start, cwd: moved.cwd });
    return moved?.text;
  }

  private activation(finding: ShellFindingInput): void {
    const reference = finding.reference;
    const written = this.written(finding);
    let replacement: string | undefined;
    if (reference.meta?.via === 'PATH') {
      // `PATH=X/bin:$PATH`: only the first entry names the venv.
      const eq = written.indexOf('=');
      const value = written.slice(eq + 1);
      const quote = /^["']/.exec(value)?.[0] ?? '';
      const colon = value.indexOf(':');
      const first = value.slice(quote.length, colon === -1 ? value.length : colon);
      const moved = this.moved(finding, first);
      if (moved !== undefined) {
        const rest = colon === -1 ? '' : value.slice(colon);
        replacement = `${written.slice(0, eq + 1)}${quote}${moved}${rest}`;
      }
    } else {
      replacement = this.moved(finding, written);
    }
    if (replacement === undefined) {
      this.followVariable(finding);
      return;
    }
    this.splice(finding.start, finding.end, replacement, `activation → ${this.facts.unifiedVenv}`);
    this.activations.push({ at: finding.start, environment: this.facts.unifiedVenv });
    this.activations.push({ at: finding.start, environment: reference.environment });
  }

  private interpreter(finding: ShellFindingInput): void {
    const reference = finding.reference;
    const written = this.written(finding);
    const environment = reference.environment;
    const bare = !/[/\\]/.test(written) && !written.includes('$');
    if (bare) {
      if (environment === ENV_PATH_PYTHON || environment === ENV_SYSTEM) {
        const name = written.replace(/^["']|["']$/g, '');
        if (!isPythonName(name)) {
          this.skip(
            finding,
            skipReasonText({ ...reference, skipReason: 'unsupported' }, this.facts),
          );
          return;
        }
        const interpreter = this.spell(this.facts.interpreter, finding.start);
        if (interpreter === undefined) {
          this.unknownCwd(finding);
          return;
        }
        this.splice(
          finding.start,
          finding.end,
          interpreter,
          `interpreter → ${this.facts.interpreter}`,
        );
        return;
      }
      // A bare name runs the venv activated before it: it moves with that activation.
      if (this.activations.some((entry) => entry.environment === environment)) return;
      this.skip(
        finding,
        environment === ENV_UNKNOWN
          ? skipReasonText({ ...reference, skipReason: 'unsupported' }, this.facts)
          : `runs the venv activated earlier (${environment}): move that activation by hand`,
      );
      return;
    }
    if (environment.includes('=')) {
      // `-DPython3_EXECUTABLE=…/bin/python3`: scan reads the option and the path as one,
      // so no rewrite of it could be confirmed.
      this.skip(
        finding,
        `an option glued to the interpreter path: change it to ${this.facts.interpreter} by hand`,
      );
      return;
    }
    const moved = this.moved(finding, written);
    if (moved === undefined) {
      this.followVariable(finding);
      return;
    }
    const tool = reference.meta?.executable;
    const reason =
      typeof tool === 'string' && !isPythonName(tool)
        ? `${tool} → ${this.facts.unifiedVenv}`
        : `interpreter → ${this.facts.interpreter}`;
    this.splice(finding.start, finding.end, moved, reason);
  }

  /** A use of a venv variable moves with its assignment. */
  private followVariable(finding: ShellFindingInput): void {
    const variable = finding.reference.meta?.variable;
    // Only where it names the same venv: a relative value read after a `cd` names another.
    const named = typeof variable === 'string' ? this.variables.get(variable) : undefined;
    if (named !== undefined && named === finding.reference.environment) return;
    this.skip(
      finding,
      typeof variable === 'string'
        ? `built from $${variable}, which onevenv cannot move here: point it at ${this.facts.unifiedVenv} by hand`
        : skipReasonText({ ...finding.reference, skipReason: 'unsupported' }, this.facts),
    );
  }

  private venvVariable(finding: ShellFindingInput): void {
    const reference = finding.reference;
    const variable = reference.meta?.variable;
    if (reference.meta?.use === true) {
      this.followVariable(finding);
      return;
    }
    const moved = this.moved(finding, this.written(finding));
    if (moved === undefined) {
      this.skip(finding, skipReasonText({ ...reference, skipReason: 'unsupported' }, this.facts));
      return;
    }
    this.splice(finding.start, finding.end, moved, `venv variable → ${this.facts.unifiedVenv}`);
    if (typeof variable === 'string') this.variables.set(variable, reference.environment);
  }

  private pythonpath(finding: ShellFindingInput): void {
    const reference = finding.reference;
    const missing = uncoveredPaths(reference, this.facts);
    if (missing.length === 0) {
      const removal = this.assignmentRemoval(finding);
      if (removal) {
        this.splice(
          removal.start,
          removal.end,
          '',
          `PYTHONPATH removed: ${this.facts.unifiedVenv} puts its paths on sys.path`,
        );
        return;
      }
    }
    // With a venv active, the paths reach that venv's interpreter.
    if (this.activations.some((entry) => entry.environment === reference.environment)) return;
    this.skip(
      finding,
      missing.length > 0
        ? `PYTHONPATH names ${missing.join(', ')}, not in [tool.onevenv] paths of ${this.facts.unifiedVenv}: add ${missing.length === 1 ? 'it' : 'them'} there and remove this PYTHONPATH`
        : 'PYTHONPATH sits where onevenv cannot remove it cleanly: remove it by hand',
    );
  }

  /** `PYTHONPATH=x cmd` → `cmd`; `export PYTHONPATH=x && cmd` → `cmd`. */
  private assignmentRemoval(
    finding: ShellFindingInput,
  ): { start: number; end: number } | undefined {
    const text = this.unit.text;
    const { left, right } = commandBounds(text, finding.start, finding.end);
    const before = text.slice(left.inner, finding.start);
    const after = text.slice(finding.end, right.inner);
    if (/^(?:export|declare -x|typeset -x)?\s*$/.test(before) && after.trim() === '') {
      return commandRemoval(text, finding.start, finding.end);
    }
    // A prefix of the command: the word and the blanks after it go.
    let end = finding.end;
    while (isBlank(text[end])) end++;
    if (end === finding.end || end >= right.inner) return undefined;
    return { start: finding.start, end };
  }

  /** `uv run [options] python …` → the unified interpreter. */
  private uvRun(finding: ShellFindingInput): void {
    const text = this.unit.text;
    const lineStart = text.lastIndexOf('\n', finding.start - 1) + 1;
    const before = text.slice(lineStart, finding.start);
    const match =
      /(?:^|[\s;&|(])(uv[ \t]+run[ \t]+((?:-[^\s]*[ \t]+(?:[^-\s][^\s]*[ \t]+)?)*))$/.exec(before);
    const options = match?.[2] ?? '';
    if (!match || /--(?:with|directory)\b|--(?:script|isolated)\b/.test(options)) {
      this.skip(
        finding,
        `runs through uv run, which picks an environment of its own: call ${this.facts.interpreter} by hand`,
      );
      return;
    }
    const interpreter = this.spell(this.facts.interpreter, finding.start);
    if (interpreter === undefined) {
      this.unknownCwd(finding);
      return;
    }
    const start = lineStart + before.length - match[1]!.length;
    this.splice(start, finding.end, interpreter, `uv run → ${this.facts.interpreter}`);
  }
}

export function rewriteShellUnit(unit: ShellUnit, facts: Facts): ShellRewrite {
  return new UnitRewriter(unit, facts).run();
}
