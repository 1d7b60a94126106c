import type { Adapter } from '../types.js';
import { detectDocReferences, isDocFile } from './detect.js';

export const adapter: Adapter = {
  name: 'docs',
  matches: (file) => isDocFile(file),
  detect: detectDocReferences,
};
