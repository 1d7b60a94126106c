import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, type TempRepo } from '../../../test/helpers/repo.js';
import { LineIndex, makeReference } from '../../adapters/reference.js';
import type { Adapter } from '../../adapters/types.js';
import { listFiles, listFilesStaged } from './discover.js';
import { scanRepository } from './scan.js';

/** `use <environment>` lines in *.uses files. */
const usesAdapter: Adapter = {
  name: 'shell',
  matches: (file) => file.endsWith('.uses'),
  detect(content, file) {
    const lines = new LineIndex(content);
    const references = [...content.matchAll(/^use (\S+)$/gm)].map((match) =>
      makeReference(content, lines, file, match.index + 4, match.index + 4 + match[1]!.length, {
        kind: 'python-command',
        adapter: 'shell',
        consumer: file,
        environment: match[1]!,
      }),
    );
    return references.length > 0 ? { references } : null;
  },
};

describe('staged listing', () => {
  let repo: TempRepo;

  beforeAll(async () => {
    // tools/env is a venv whose pyvenv.cfg was never committed, though one of its
    // scripts was: an untracked file decides that the tracked one is no consumer.
    repo = await makeRepo(
      {
        '.gitignore': 'ignored/\n',
        'a.uses': 'use scripts/.venv\n',
        'tools/env/bin/tool.uses': 'use tools/env\n',
      },
      { git: true },
    );
    await repo.write('tools/env/pyvenv.cfg', 'home = /usr/bin\n');
    await repo.write('new.uses', 'use .venv\n');
    await repo.write('ignored/x.uses', 'use nope\n');
  });

  afterAll(() => repo.cleanup());

  it('gives the tracked files first, the untracked ones and their venvs after', async () => {
    const staged = listFilesStaged(repo.root);
    const first = await staged.first;
    expect({ ...first, files: first.files.sort() }).toEqual({
      files: ['.gitignore', 'a.uses', 'tools/env/bin/tool.uses'],
      discovery: 'git',
      venvs: [],
    });
    expect(await staged.rest).toEqual({
      files: ['new.uses'],
      discovery: 'git',
      venvs: ['tools/env'],
    });
  });

  it('listFiles puts them together without the venv', async () => {
    const listing = await listFiles(repo.root);
    expect({ ...listing, files: listing.files.sort() }).toEqual({
      files: ['.gitignore', 'a.uses', 'new.uses'],
      discovery: 'git',
      venvs: ['tools/env'],
    });
  });

  it('scan drops what it read from a tracked file inside a venv found among untracked files', async () => {
    const result = await scanRepository(repo.root, { adapters: [usesAdapter] });
    expect({
      references: result.references.map((r) => [r.file, r.environment]),
      venvsOnDisk: result.venvsOnDisk,
      filesListed: result.filesListed,
      filesRead: result.filesRead,
    }).toEqual({
      references: [
        ['a.uses', 'scripts/.venv'],
        ['new.uses', '.venv'],
      ],
      venvsOnDisk: ['tools/env'],
      filesListed: 3,
      filesRead: 2,
    });
  });
});
