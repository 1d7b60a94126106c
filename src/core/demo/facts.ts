/**
 * What the demo saw at each step: plain data, gathered by running the real commands,
 * from which the acceptance table is judged (criteria.ts). Nothing here is assumed: a
 * step that did not run says why.
 */

export interface CommandOutcome {
  /** The command as shown to the user. */
  command: string;
  code: number | null;
  seconds: number;
  /** The last meaningful line of its output, for a one-line reason when it fails. */
  lastLine: string;
}

export interface Toolchain {
  git: string | undefined;
  cmake: string | undefined;
  ninja: string | undefined;
  /** The C++ compiler CMake would pick ($CXX, else c++, g++, clang++), with its version. */
  compiler: string | undefined;
}

export interface ScanFacts {
  outcome: CommandOutcome;
  /** The scan gave its report (exit 0, or 1 for findings with --check). */
  reported: boolean;
  environments: Array<{ id: string; consumers: number }>;
  /** References off the unified venv that `scan --check` counts. */
  off: number;
  /** CMake references (cmake and cmake-presets adapters) among them. */
  cmakeOff: number;
  venvsOnDisk: string[];
}

export interface FileChange {
  file: string;
  status: 'added' | 'modified' | 'deleted';
  added: number;
  removed: number;
}

export interface AdoptFacts {
  outcome: CommandOutcome;
  changes: FileChange[];
  committed: boolean;
  /**
   * Untracked or ignored files after the adoption was committed (`git status --ignored`):
   * none means the tree is exactly what a clean clone of that commit gives.
   */
  leftovers: string[];
}

export interface StatusFacts {
  state: string;
  pythonVersion: string | null;
  packages: number | null;
  installer: string | null;
  importsOk: boolean | null;
  importFailures: string[];
  lockState: string | null;
}

export interface SetupFacts {
  outcome: CommandOutcome;
  status: StatusFacts | undefined;
}

export interface BuildFacts {
  configure: CommandOutcome | undefined;
  build: CommandOutcome | undefined;
  /** What the Python targets printed (`trace-symbols: 9 symbols`). */
  targetLines: string[];
}

export interface CheckEntry {
  id: string;
  kind: string;
  target: string;
  ok: boolean;
  detail: string;
  fix?: string;
  skipped?: boolean;
}

export interface CheckFacts {
  outcome: CommandOutcome;
  /** undefined when check gave no report (not available, or it crashed). */
  checks: CheckEntry[] | undefined;
}

export interface LockFacts {
  exists: boolean;
  /** Requirement lines (one per package and marker). */
  requirements: number;
  /** Distinct package names among them. */
  packages: number;
  pinned: number;
  hashed: number;
  /** Both files tracked by git in the adopted commit. */
  tracked: { lock: boolean; declaration: boolean };
}

export interface DocsFacts {
  exists: boolean;
  tracked: boolean;
  covers: { cleanClone: boolean; worktree: boolean; ci: boolean };
  /** The project's own agent/contributor doc points at python/README.md. */
  pointer: string | undefined;
}

export interface HttpExchange {
  request: string;
  status: number | undefined;
  body: string;
  error?: string;
}

export interface ServerFacts {
  port: number | undefined;
  exchanges: HttpExchange[];
  /** What the script printed when it exited on its own (it should keep serving). */
  exitedEarly: { code: number | null; lastLine: string } | undefined;
  /** replay/.venv after the run: the old script made its own venv. */
  ownVenvCreated: boolean;
  /** The process group was gone after the stop. */
  stopped: boolean;
}

export type StepName = 'scan' | 'adopt' | 'setup' | 'build' | 'check' | 'server';

export interface DemoFacts {
  tools: Toolchain;
  /** Why a step did not run (an earlier step failed, a tool is missing). */
  notRun: Partial<Record<StepName, string>>;
  scanBefore: ScanFacts | undefined;
  adopt: AdoptFacts | undefined;
  scanAfter: ScanFacts | undefined;
  setup: SetupFacts | undefined;
  build: BuildFacts | undefined;
  check: CheckFacts | undefined;
  lock: LockFacts | undefined;
  docs: DocsFacts | undefined;
  server: ServerFacts | undefined;
}

export interface Criterion {
  id: string;
  ok: boolean;
  detail: string;
}

export interface DemoReport {
  ok: boolean;
  criteria: Criterion[];
  dir: string;
}
