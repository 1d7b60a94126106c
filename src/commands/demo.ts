import { notBuilt } from './not-built.js';

export const command = notBuilt('demo', 'Run the bundled example end to end');
