import type { Adapter } from '../types.js';
import { detectPresetReferences, isCMakePresetsFile } from './detect.js';

export const adapter: Adapter = {
  name: 'cmake-presets',
  matches: (file) => isCMakePresetsFile(file),
  detect: detectPresetReferences,
};
