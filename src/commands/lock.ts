import { notBuilt } from './not-built.js';

export const command = notBuilt('lock', 'Resolve python/pyproject.toml into the hashed lock');
