import { adapter as cmake } from './cmake/index.js';
import { adapter as cmakePresets } from './cmake-presets/index.js';
import { adapter as devcontainer } from './devcontainer/index.js';
import { adapter as docs } from './docs/index.js';
import { adapter as githubWorkflows } from './github-workflows/index.js';
import { adapter as gitignore } from './gitignore/index.js';
import { adapter as makefile } from './makefile/index.js';
import { adapter as mcpJson } from './mcp-json/index.js';
import { adapter as pythonDeps } from './python-deps/index.js';
import { adapter as shell } from './shell/index.js';
import type { Adapter } from './types.js';
import { adapter as vscode } from './vscode/index.js';

/**
 * Every consumer adapter, in the order scan offers them a file. Each adapter lives in
 * `src/adapters/<name>/index.ts` and exports `adapter`; add one import line and one
 * entry per adapter, keeping the list in the order of AdapterName in types.ts.
 */
export const adapters: Adapter[] = [
  cmake,
  cmakePresets,
  mcpJson,
  shell,
  vscode,
  devcontainer,
  githubWorkflows,
  makefile,
  gitignore,
  pythonDeps,
  docs,
];
