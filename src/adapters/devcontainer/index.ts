import type { Adapter } from '../types.js';
import { detectDevcontainerReferences, isDevcontainerFile } from './detect.js';

export const adapter: Adapter = {
  name: 'devcontainer',
  matches: (file) => isDevcontainerFile(file),
  detect: detectDevcontainerReferences,
};
