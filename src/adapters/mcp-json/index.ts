import type { Adapter } from '../types.js';
import { detectMcpReferences, isMcpConfig } from './detect.js';

export const adapter: Adapter = {
  name: 'mcp-json',
  matches: (file) => isMcpConfig(file),
  detect: detectMcpReferences,
};
