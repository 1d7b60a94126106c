import { notBuilt } from './not-built.js';

export const command = notBuilt('adopt', 'Move every consumer onto the one venv');
