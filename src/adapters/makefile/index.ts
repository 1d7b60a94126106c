import type { Adapter } from '../types.js';
import { detectMakefileReferences, isMakefile } from './detect.js';

export const adapter: Adapter = {
  name: 'makefile',
  matches: (file) => isMakefile(file),
  detect: detectMakefileReferences,
};
