import type { Adapter } from '../types.js';
import { detectDependencies, fileKind } from './detect.js';

export { detectDependencies, fileKind } from './detect.js';
export { dropLocalImports } from './local-imports.js';

/** requirements*.txt / *.in, constraints, pyproject.toml, setup.cfg, and Python files. */
export const adapter: Adapter = {
  name: 'python-deps',
  matches: (file, firstLine) => fileKind(file, firstLine) !== undefined,
  detect: (content, file, context) => detectDependencies(content, file, context),
};
