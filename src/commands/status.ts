import { notBuilt } from './not-built.js';

export const command = notBuilt('status', 'Say whether the venv is ready');
