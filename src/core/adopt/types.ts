import type { AdapterName } from '../../adapters/types.js';
import type { ScanReference } from '../scan/model.js';

/**
 * The adopt plan model and the contract between the adopt core and the per-adapter
 * rewriters (`src/adapters/<name>/rewrite.ts`).
 *
 * A rewriter is pure: one file's text and the references scan found in it go in, splices
 * come out. Everything else is the core's: reading and writing files, keeping line
 * endings, BOM, trailing newline and mode, applying edits last-offset-first, refusing
 * overlapping edits, and detecting the new text again with the same adapter to prove
 * every handled reference now names the unified venv (a file whose proof fails keeps its
 * old text and is reported).
 */

/**
 * One splice into a file's text: text.slice(start, end) becomes `replacement`. Offsets
 * are those of `Reference.span`: the decoded text with its BOM stripped, CRLF kept.
 * `start === end` inserts. Edits of one file must not overlap; two insertions at the
 * same offset are applied in the order the rewriter returned them.
 */
export interface Edit {
  start: number;
  end: number;
  /**
   * Written with '\n' line endings: the core turns each '\n' into '\r\n' in a file that
   * mostly uses CRLF. A rewriter that removes a whole line includes its line ending in
   * the range (see `lineRange` in `text.ts`).
   */
  replacement: string;
  /** Why, in a few words, shown in the plan: 'interpreter → python/.venv/bin/python3'. */
  reason: string;
}

/** A reference the rewriter deliberately leaves as it is. */
export interface SkippedReference {
  reference: ScanReference;
  /** One line the user can act on: 'built from ${VENV_DIR}: set it to python/.venv by hand'. */
  reason: string;
  /** The text to write instead, when one can be suggested (documentation). */
  suggestion?: string;
}

export interface RewriteResult {
  edits: Edit[];
  /**
   * References given to the rewriter that it leaves alone, with why. Every other
   * reference it was given counts as handled: after the edits, the adapter must no longer
   * report it off the unified venv (it is gone, or names the unified venv).
   */
  skipped: SkippedReference[];
  /** What the user should know about this file (shown in the plan, one line each). */
  notes: string[];
}

/** Facts about the whole adoption that a rewriter may need; the same for every file. */
export interface AdoptFacts {
  /** Absolute repository root. Rewriters must not read from it: it is for messages only. */
  root: string;
  /** Repo-relative unified venv: 'python/.venv'. */
  unifiedVenv: string;
  /** Repo-relative interpreter of the unified venv: 'python/.venv/bin/python3'. */
  interpreter: string;
  /** Repo-relative bootstrap script: 'python/setup.sh'. */
  setupScript: string;
  /** Repo-relative declaration: 'python/pyproject.toml'. */
  configFile: string;
  /** Repo-relative lock: 'python/requirements.txt'. */
  lockFile: string;
  /** Repo-relative setup guide: 'python/README.md'. */
  readme: string;
  options: {
    /** `--docs`: rewrite documentation too (otherwise doc references are only reported). */
    docs: boolean;
  };
  /** Every venv (repo-relative) that a reference names and that is not the unified one, sorted. */
  replacedVenvs: string[];
  /** Venv directories present on disk (repo-relative, sorted). Adopt never deletes them. */
  venvsOnDisk: string[];
  /**
   * PEP 503 names of every distribution the declaration holds (all groups, plus editable
   * packages' own names): a `pip install` of only these is covered by the lock.
   */
  declaredPackages: string[];
  /** Local packages installed in editable mode (repo-relative directories, sorted). */
  editables: string[];
  /** Directories put on sys.path through the venv's .pth (repo-relative, sorted). */
  paths: string[];
  /** Every reference scan found, in every file (read-only), for facts that span files. */
  references: readonly ScanReference[];
}

/** What a rewriter sees besides the file's text and references. */
export interface RewriteContext extends AdoptFacts {
  /** Repo-relative file being rewritten. */
  file: string;
  /** False for a file offered through `extraFiles` that does not exist: content is ''. */
  exists: boolean;
}

export interface Rewriter {
  /**
   * Files (repo-relative) to offer even when they hold no reference: the root .gitignore
   * that must gain `python/.venv/`, the top-level CMakeLists.txt. A file that does not
   * exist is offered with content '' and `exists: false`; edits to it create it.
   */
  extraFiles?(facts: AdoptFacts): string[];
  /** Pure and synchronous; never throws (a throw is reported as a bug of the rewriter). */
  rewrite(content: string, references: ScanReference[], context: RewriteContext): RewriteResult;
}

/** Each `src/adapters/<name>/rewrite.ts` exports this. */
export interface RewriterModule {
  rewriter: Rewriter;
}

// ---------------------------------------------------------------------------------------
// The plan: pure data, printed by `adopt --json`, applied by `adopt --write`.

/** A reference in the plan, without the adapter's meta. */
export interface PlannedReference {
  file: string;
  line: number;
  column: number;
  text: string;
  kind: ScanReference['kind'];
  adapter: AdapterName;
  consumer: string;
  environment: string;
}

export type UnhandledCategory =
  /** The rewriter chose to leave it (reason given). */
  | 'skipped'
  /** No rewriter exists yet for its adapter. */
  | 'not-rewritten-yet'
  /** Documentation: reported with suggested text, rewritten only with --docs. */
  | 'documentation'
  /** The rewrite did not take (the new text still names the old venv): the file is left alone. */
  | 'not-confirmed'
  /** The rewriter's edits overlapped, or it threw: the file is left alone. */
  | 'rewrite-failed';

export interface UnhandledReference extends PlannedReference {
  category: UnhandledCategory;
  reason: string;
  /** For documentation: the text to write instead, when one can be suggested. */
  suggestion?: string;
}

export interface PlannedFile {
  /** Repo-relative. */
  file: string;
  action: 'create' | 'update';
  /** 'generated': adopt writes the whole file (python/…); 'rewritten': spliced edits. */
  origin: 'generated' | 'rewritten';
  /** The adapter whose rewriter produced the edits ('rewritten' only). */
  adapter?: AdapterName;
  /** Why, one line each (edit reasons, deduplicated, in file order). */
  reasons: string[];
  /** The file's bytes when the plan was read them, as sha256 hex; absent for a new file. */
  digest?: string;
  /** Mode of a new file (0o755 for setup.sh); an existing file keeps its own. */
  mode?: number;
  /** Decoded text before (BOM stripped); absent for a new file. Not in --json. */
  before?: string;
  /** Decoded text after (BOM stripped; the BOM is written back when the file had one). Not in --json. */
  after: string;
  /** Whether the file starts with a UTF-8 BOM (kept on write). */
  bom: boolean;
}

export interface DependencyConflict {
  /** PEP 503 name. */
  name: string;
  /** The group it lands in. */
  group: string;
  /** The requirement written into the group. */
  chosen: string;
  /** Every declaration that constrains it: 'file:line' and the specifier as written. */
  sources: Array<{ source: string; requirement: string }>;
  message: string;
}

export interface OldVenv {
  /** Repo-relative directory. */
  path: string;
  /** Consumers that named it before adoption. */
  consumers: string[];
  /** The command that removes it; adopt never runs it. */
  removeCommand: string;
}

export interface LockPlan {
  /** Repo-relative lock file. */
  file: string;
  /**
   * 'resolve': written by `onevenv lock` after the declaration (a dry run does not
   * resolve); 'current': the lock already matches the declaration.
   */
  action: 'resolve' | 'current';
  /** What to run by hand when resolution fails or was not attempted. */
  command: string;
}

export interface AdoptPlan {
  /** Absolute repository root. */
  root: string;
  unifiedVenv: string;
  /** Files to create or change, sorted by path; unchanged files are not listed. */
  files: PlannedFile[];
  lock: LockPlan;
  /** References the plan moves onto the unified venv. */
  handled: PlannedReference[];
  /** References left as they are, each with its category and reason. */
  unhandled: UnhandledReference[];
  dependencyConflicts: DependencyConflict[];
  /** Venvs on disk that nothing will use after adoption; never deleted. */
  oldVenvs: OldVenv[];
  /** Everything else worth a line (per-file notes, decisions taken). */
  notes: string[];
}
