import { notBuilt } from './not-built.js';

export const command = notBuilt('hook', 'Install a git post-checkout hook');
