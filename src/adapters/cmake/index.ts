import type { Adapter } from '../types.js';
import { detectCMakeReferences, isCMakeFile } from './detect.js';

export const adapter: Adapter = {
  name: 'cmake',
  matches: (file) => isCMakeFile(file),
  detect: detectCMakeReferences,
};
