import type { Edit } from '../adopt/types.js';
import { wrap } from './render.js';

/**
 * The short section a root CLAUDE.md or AGENTS.md gets, pointing agents and people at
 * python/README.md. Added once: a file that already links the README is left alone.
 */

export const POINTER_FILES = ['CLAUDE.md', 'AGENTS.md'];

export function pointerSection(readme: string, venv: string, setupScript: string): string {
  const text = `All Python tooling runs in one venv, \`${venv}\`. Set it up with \`${setupScript}\` and run tools with \`${venv}/bin/python3\`; [${readme}](${readme}) is the authoritative guide.`;
  return ['## Python environment', '', ...wrap(text)].join('\n');
}

/** The edit that appends the section, or undefined when the file already points at the README. */
export function pointerEdit(
  content: string,
  readme: string,
  venv: string,
  setupScript: string,
): Edit | undefined {
  if (content.includes(readme)) return undefined;
  const section = pointerSection(readme, venv, setupScript);
  const end = content.length;
  let lead = '';
  if (content.length > 0) {
    if (content.endsWith('\n\n')) lead = '';
    else if (content.endsWith('\n')) lead = '\n';
    else lead = '\n\n';
  }
  const tail = content.length === 0 || content.endsWith('\n') ? '\n' : '';
  return {
    start: end,
    end,
    replacement: `${lead}${section}${tail}`,
    reason: `points at ${readme}`,
  };
}
