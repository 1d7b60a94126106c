import type { Adapter } from '../types.js';
import { detectWorkflowReferences, isWorkflow } from './detect.js';

export const adapter: Adapter = {
  name: 'github-workflows',
  matches: (file) => isWorkflow(file),
  detect: detectWorkflowReferences,
};
