/**
 * The contract between core and the per-file-kind adapters. Adapters do no I/O: file
 * text in, references (with exact spans) out; they never throw on bad input. A reference
 * an adapter sees but will not rewrite is still reported, with a skip reason.
 */

export type AdapterName =
  | 'cmake'
  | 'cmake-presets'
  | 'mcp-json'
  | 'shell'
  | 'vscode'
  | 'devcontainer'
  | 'github-workflows'
  | 'makefile'
  | 'gitignore'
  | 'python-deps'
  | 'docs';

export type ReferenceKind =
  /** find_package(Python3 …) / find_package(PythonInterp) */
  | 'find-package'
  /** ${Python3_EXECUTABLE}, ${PYTHON_EXECUTABLE}, … */
  | 'interpreter-variable'
  /** a variable bound to a venv or interpreter path (set(TRACE_VENV …), VENV=…) and its uses */
  | 'venv-variable'
  /** if(Python3_FOUND) and friends */
  | 'python-found-condition'
  /** a command line that runs python (CMake COMMAND, shell line, task, MCP command) */
  | 'python-command'
  /** an interpreter path in data (MCP command, VS Code setting, preset cache variable) */
  | 'interpreter-path'
  | 'venv-create'
  | 'venv-activate'
  | 'pip-install'
  /** PYTHONPATH assignment or env entry */
  | 'pythonpath'
  /** actions/setup-python and the like */
  | 'setup-python'
  /** a .gitignore entry that ignores a venv */
  | 'gitignore-entry'
  /** prose telling people to activate/call an old venv */
  | 'doc-mention';

export type SkipReason =
  /** the value is built from a variable we cannot resolve statically */
  | 'contains-variable'
  /** a remote/host-specific interpreter we must not touch (e.g. /usr/bin/python3 in a Dockerfile step) */
  | 'external-interpreter'
  /** the adapter understands it but has no rewrite for it */
  | 'unsupported'
  /** documentation: reported, rewritten only on request */
  | 'documentation'
  /** the file could not be parsed; the reference came from a best-effort fallback */
  | 'parse-error';

/**
 * Environment ids: a repo-relative venv directory ('scripts/.venv', 'python/.venv'),
 * or one of the special ids below for interpreters that are not a venv of the repo.
 */
export const ENV_FIND_PACKAGE = 'find_package(Python3)';
export const ENV_PATH_PYTHON = 'python3 on PATH';
export const ENV_SYSTEM = 'system interpreter';
export const ENV_UNKNOWN = 'unknown';

export interface Span {
  /** Offset of the first character in the file's text (as decoded, BOM stripped). */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

export interface Reference {
  /** Repo-relative, '/'-separated. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  span: Span;
  /** Exactly text.slice(span.start, span.end). */
  text: string;
  kind: ReferenceKind;
  adapter: AdapterName;
  /** What uses it: "CMake target doxygen-db", "MCP server codebase", "script replay/start_server.sh". */
  consumer: string;
  /** Environment id (see above). */
  environment: string;
  skipReason?: SkipReason;
  /** Adapter-specific facts a rewrite needs (e.g. find_package components). */
  meta?: Record<string, string | number | boolean | string[]>;
}

export interface DependencyDeclaration {
  /** As written, e.g. "fastapi>=0.110". */
  requirement: string;
  /** PEP 503 normalised name. */
  name: string;
  /** '' when unconstrained. */
  specifier: string;
  /** 'file:line' of the declaration. */
  source: string;
  /** The context it belongs to (directory or package it came from), for grouping. */
  context: string;
  /** 'requirements' | 'pyproject' | 'setup.cfg' | 'import' */
  origin: 'requirements' | 'pyproject' | 'setup.cfg' | 'import';
  /**
   * Facts that qualify it: the extra or group it is declared in, whether it only
   * constrains, an import's module and whether the import is optional, … (each adapter's
   * readme lists its keys).
   */
  meta?: Record<string, string | number | boolean | string[]>;
}

/** A line of a dependency file that could not be understood: reported, never thrown. */
export interface DependencyProblem {
  /** 'file:line'. */
  source: string;
  line: number;
  message: string;
}

/** What a dependency file says besides its requirements (python-deps adapter). */
export interface DependencySource {
  file: string;
  context: string;
  origin: 'requirements' | 'pyproject' | 'setup.cfg';
  /** The file sits beside the unified venv (e.g. python/pyproject.toml). */
  unified: boolean;
  /** The local package the file defines ([project] name, [tool.poetry] name, [metadata] name). */
  package?: { name: string; line: number; buildBackend?: string };
  /** PEP 440, whitespace removed; poetry constraints converted. */
  requiresPython?: { specifier: string; line: number };
  /** `-r`/`-c` includes and setup.cfg `file:` values, for the core to resolve and read. */
  includes: DependencyInclude[];
  /** Packages named by a path or URL instead of a requirement (`-e .`, `./pkg`, poetry path deps). */
  directInstalls: DirectInstall[];
  /** Installer options (`--index-url`, `--find-links`, …) with credentials redacted. */
  options: { option: string; value: string; line: number }[];
  /** PEP 735 `{include-group = …}` entries. */
  groupIncludes: { group: string; include: string; line: number }[];
  problems: DependencyProblem[];
}

export interface DependencyInclude {
  kind: 'requirements' | 'constraints';
  /** Repo-relative path resolved against the including file's directory; the URL when remote. */
  path: string;
  /** As written (credentials redacted). */
  written: string;
  local: boolean;
  line: number;
}

export interface DirectInstall {
  /** As written (credentials redacted). */
  written: string;
  /**
   * Repo-relative directories it may name, in the order to try: against the file's own
   * directory, then against the repository root. Empty for a URL.
   */
  paths: string[];
  editable: boolean;
  line: number;
}

export interface DetectContext {
  /** Repo-relative path of the unified venv, default 'python/.venv'. */
  unifiedVenv: string;
  /** Top-level module names of the standard library (for the python-deps import scan). */
  stdlibModules?: ReadonlySet<string>;
}

export interface DetectResult {
  references: Reference[];
  dependencies?: DependencyDeclaration[];
  /** Set by the python-deps adapter for dependency files. */
  dependencySource?: DependencySource;
}

export interface Adapter {
  name: AdapterName;
  /** Does this adapter read `file` (repo-relative)? `firstLine` is given for shebang checks. */
  matches(file: string, firstLine: string): boolean;
  /** Pure: never throws, returns null for "nothing here". */
  detect(content: string, file: string, context: DetectContext): DetectResult | null;
}
