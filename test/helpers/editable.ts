import { promises as fs } from 'node:fs';
import path from 'node:path';
import { backendDir } from './python-packages.js';
import type { TempRepo } from './repo.js';

export interface EditablePackage {
  name: string;
  /** Its own requirements (default alpha>=1, which the wheelhouse holds). */
  requires?: string[];
  /** `src/<name>/__init__.py` (default: imports alpha, sets WHO). */
  init?: string;
}

/** A local package built by the hermetic tiny build backend, for editable installs. */
export async function writeEditablePackage(
  repo: TempRepo,
  dir: string,
  { name, requires = ['alpha>=1'], init = 'import alpha\nWHO = "editable"\n' }: EditablePackage,
): Promise<void> {
  await repo.write(
    `${dir}/pyproject.toml`,
    '[build-system]\nrequires = []\nbuild-backend = "tiny_backend"\nbackend-path = ["."]\n',
  );
  await repo.write(
    `${dir}/tiny_backend.py`,
    await fs.readFile(path.join(backendDir, 'tiny_backend.py'), 'utf8'),
  );
  await repo.write(
    `${dir}/tiny-package.json`,
    JSON.stringify({ name, version: '0.1.0', requires }),
  );
  await repo.write(`${dir}/src/${name}/__init__.py`, init);
}
