import { notBuilt } from './not-built.js';

export const command = notBuilt('sync', 'Make python/.venv exactly match the lock');
