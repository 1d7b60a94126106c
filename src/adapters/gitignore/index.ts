import type { Adapter } from '../types.js';
import { detectGitignoreReferences, isGitignoreFile } from './detect.js';

export const adapter: Adapter = {
  name: 'gitignore',
  matches: (file) => isGitignoreFile(file),
  detect: detectGitignoreReferences,
};
