import type { Adapter } from '../types.js';
import { detectVscodeReferences, isVscodeFile } from './detect.js';

export const adapter: Adapter = {
  name: 'vscode',
  matches: (file) => isVscodeFile(file),
  detect: detectVscodeReferences,
};
