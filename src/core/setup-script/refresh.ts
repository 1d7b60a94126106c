import path from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../../util/fs.js';
import type { OnevenvConfig } from '../config.js';
import { README_FILE } from '../root.js';
import { generateSetupScript } from './generate.js';

/**
 * python/setup.sh embeds the declaration it was generated from (and refuses to build
 * from a declaration edited since), and python/README.md lists every group's packages,
 * so whatever rewrites the lock regenerates both: a repository where onevenv generated
 * them keeps them current (`onevenv check` compares them). A repository without them is
 * left without them; `adopt` is what creates them.
 */
export async function refreshGeneratedFiles(config: OnevenvConfig): Promise<string[]> {
  const written: string[] = [];
  const setupScript = path.join(config.configDir, 'setup.sh');
  const currentScript = await readTextIfExists(setupScript);
  if (currentScript !== undefined) {
    const next = generateSetupScript(config);
    if (next !== currentScript) {
      await writeFileAtomic(setupScript, next);
      written.push(setupScript);
    }
  }
  const readme = path.join(config.root, README_FILE);
  const currentReadme = await readTextIfExists(readme);
  if (currentReadme !== undefined) {
    // The README describes the consumers too: it needs a scan (no process spawned but git's).
    const [{ scanRepository }, { generateReadme }] = await Promise.all([
      import('../scan/scan.js'),
      import('../readme/render.js'),
    ]);
    const scan = await scanRepository(config.root);
    const next = generateReadme(config, scan.references);
    if (next !== currentReadme) {
      await writeFileAtomic(readme, next);
      written.push(readme);
    }
  }
  return written;
}
