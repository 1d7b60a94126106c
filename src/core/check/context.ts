import path from 'node:path';
import { type OnevenvConfig, relativeToRoot } from '../config.js';
import type { FileListing } from '../scan/discover.js';
import type { ScanResult } from '../scan/model.js';
import type { EnvironmentStatus } from '../sync/status.js';
import { venvPython } from '../venv/marker.js';
import type { BuildDir } from './build-dirs.js';
import type { CheckKind } from './types.js';

export interface CheckOptions {
  /** The kinds to run (`--only`); every kind when empty. */
  only: ReadonlySet<CheckKind>;
  /** Per MCP server: spawn, `initialize` and `tools/list` must finish within this. */
  timeoutMs: number;
  /** Connect to remote (sse/http) MCP servers too. */
  network: boolean;
  /** `--build-dir`: absolute directories that replace build-directory discovery. */
  buildDirs: string[] | undefined;
  /** `--configure`: configure the project into a temporary Ninja build directory. */
  configure: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * What the checks share: the declaration, and facts several of them need, each computed
 * once on first use (the scan, the file list, the venv's status, the build directories).
 */
export class CheckContext {
  readonly root: string;
  readonly config: OnevenvConfig;
  readonly options: CheckOptions;
  /** `bin/python` of the unified venv. */
  readonly python: string;
  /** Run after the checks (a temporary build directory is removed). */
  readonly cleanups: Array<() => Promise<void>> = [];
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(config: OnevenvConfig, options: CheckOptions) {
    this.root = config.root;
    this.config = config;
    this.options = options;
    this.python = venvPython(config.venv);
  }

  /** Repo-relative '/' path, or the absolute path for one outside the repository. */
  display(file: string): string {
    const relative = relativeToRoot(this.config, file);
    return relative.startsWith('../') ? file : relative;
  }

  /** Repo-relative path of the unified venv. */
  get venvShown(): string {
    return this.display(this.config.venv);
  }

  /** The venv's interpreter as the repository names it (`python/.venv/bin/python`). */
  get pythonShown(): string {
    return this.display(this.python);
  }

  absolute(repoRelative: string): string {
    return path.resolve(this.root, repoRelative);
  }

  private once<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let promise = this.memo.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = compute();
      this.memo.set(key, promise);
    }
    return promise;
  }

  scan(): Promise<ScanResult> {
    return this.once('scan', async () => {
      const { scanRepository } = await import('../scan/scan.js');
      return scanRepository(this.root);
    });
  }

  files(): Promise<FileListing> {
    return this.once('files', async () => {
      const { listFiles } = await import('../scan/discover.js');
      return listFiles(this.root);
    });
  }

  status(): Promise<EnvironmentStatus> {
    return this.once('status', async () => {
      const { environmentStatus } = await import('../sync/status.js');
      return environmentStatus(this.config);
    });
  }

  buildDirs(): Promise<BuildDir[]> {
    return this.once('build-dirs', async () => {
      const { collectBuildDirs } = await import('./build-dirs.js');
      return collectBuildDirs(this);
    });
  }
}
