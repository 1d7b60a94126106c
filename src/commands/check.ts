import { notBuilt } from './not-built.js';

export const command = notBuilt('check', 'Prove every consumer works with the venv');
