import { notBuilt } from './not-built.js';

export const command = notBuilt('remove', 'Remove requirements from dependency groups');
