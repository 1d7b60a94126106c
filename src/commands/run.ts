import { notBuilt } from './not-built.js';

export const command = notBuilt('run', 'Run a command inside the environment');
