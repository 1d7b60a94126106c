import { statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { UserError } from '../util/errors.js';
import { locateString, type OnevenvConfig } from './config.js';
import { CONFIG_FILE } from './root.js';

/**
 * Checks of `[tool.onevenv]` that need the file system, so `loadConfig` (which only reads
 * the declaration) does not make them. Commands that act on the values call these before
 * they spend time resolving or installing.
 */

/** The editable entries as written, in the order `config.editable` holds them. */
function writtenEditables(config: OnevenvConfig): unknown[] {
  try {
    const data = parseToml(config.text) as { tool?: { onevenv?: { editable?: unknown } } };
    const list = data.tool?.onevenv?.editable;
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/**
 * Every `[tool.onevenv] editable` entry must be a directory (the local package): an
 * installer told to install a missing one fails late and far from the line to fix.
 */
export function checkEditableDirectories(config: OnevenvConfig): void {
  for (const [index, dir] of config.editable.entries()) {
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    const asWritten = writtenEditables(config)[index];
    const written =
      typeof asWritten === 'string'
        ? asWritten
        : path.relative(config.configDir, dir).split(path.sep).join('/');
    throw new UserError(`tool.onevenv.editable: ${written} is not a directory`, {
      location: { file: CONFIG_FILE, line: locateString(config.text, written) },
      fix: 'point it at the local package (the directory of its pyproject.toml or setup.py), or remove it',
    });
  }
}
