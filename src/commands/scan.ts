import { notBuilt } from './not-built.js';

export const command = notBuilt('scan', 'List every Python interpreter and venv reference');
