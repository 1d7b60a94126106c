import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../util/errors.js';
import { toPosix } from '../../util/fs.js';
import { CONFIG_DIR, CONFIG_FILE } from '../root.js';

export const DEFAULT_UNIFIED_VENV = 'python/.venv';

/**
 * The repo-relative unified venv: `[tool.onevenv] venv` of python/pyproject.toml
 * (relative to python/), else python/.venv. Scan reads only this key, so a declaration
 * that is still being written does not stop a scan; only unreadable TOML does.
 */
export async function readUnifiedVenv(root: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(path.join(root, CONFIG_FILE), 'utf8');
  } catch {
    return DEFAULT_UNIFIED_VENV;
  }
  // Most declarations keep the default: no need to parse TOML for them.
  if (!/\bvenv["']?\s*=/.test(text)) return DEFAULT_UNIFIED_VENV;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { parseDeclarationToml } = await import('../declaration-toml.js');
  const data = parseDeclarationToml(text);
  const tool = (data as { tool?: { onevenv?: { venv?: unknown } } }).tool;
  const venv = tool?.onevenv?.venv;
  if (venv === undefined) return DEFAULT_UNIFIED_VENV;
  if (typeof venv !== 'string' || venv.trim() === '') {
    throw new UserError(`tool.onevenv.venv: expected a path, got ${JSON.stringify(venv)}`, {
      location: { file: CONFIG_FILE },
      fix: 'set it to a directory relative to python/, e.g. ".venv"',
    });
  }
  const absolute = path.resolve(root, CONFIG_DIR, venv);
  return toPosix(path.relative(root, absolute)) || '.';
}
