import type { Adapter } from '../types.js';
import { detectShellReferences, isShellScript } from './detect.js';

export const adapter: Adapter = {
  name: 'shell',
  matches: isShellScript,
  detect: detectShellReferences,
};
