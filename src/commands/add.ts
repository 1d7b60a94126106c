import { notBuilt } from './not-built.js';

export const command = notBuilt('add', 'Add requirements to a dependency group');
