import { notBuilt } from './not-built.js';

export const command = notBuilt('which', "Print the venv's interpreter path");
