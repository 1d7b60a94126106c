import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, type TempRepo } from '../../../test/helpers/repo.js';
import { rewriter as gitignoreRewriter } from '../../adapters/gitignore/rewrite.js';
import type { AdapterName } from '../../adapters/types.js';
import { applyPlan } from './apply.js';
import { planAdoption } from './plan.js';
import type { Edit, Rewriter } from './types.js';

/**
 * The adopt core with a stand-in shell rewriter: how files are read, spliced, proved and
 * written, whatever a real rewriter does. The stand-in replaces each interpreter path
 * with the unified one.
 */

const toUnified: Rewriter = {
  rewrite(_content, references) {
    const edits: Edit[] = references
      .filter((r) => r.kind === 'python-command' && !r.unified)
      .map((r) => ({
        start: r.span.start,
        end: r.span.end,
        replacement: 'python/.venv/bin/python3',
        reason: 'interpreter → python/.venv/bin/python3',
      }));
    return { edits, skipped: [], notes: [] };
  },
};

function only(rewriter: Rewriter): ReadonlyMap<AdapterName, Rewriter> {
  return new Map([['shell', rewriter]]);
}

const repos: TempRepo[] = [];

async function repo(files: Record<string, string>): Promise<TempRepo> {
  const made = await makeRepo(files, { git: true });
  repos.push(made);
  return made;
}

afterEach(async () => {
  for (const made of repos.splice(0)) await made.cleanup();
});

async function plan(root: string, rewriter: Rewriter = toUnified) {
  return planAdoption(root, { interpreterVersion: '3.11.7', rewriters: only(rewriter) });
}

async function bytes(root: string, file: string): Promise<Buffer> {
  return fs.readFile(path.join(root, file));
}

describe('adopt core: reading, splicing and writing files', () => {
  it('keeps CRLF, a BOM, a missing final newline and the executable bit', async () => {
    const r = await repo({
      'crlf.sh': '#!/bin/sh\r\nset -e\r\nscripts/.venv/bin/python3 tool.py\r\n',
      'bom.sh': '\uFEFF#!/bin/sh\nscripts/.venv/bin/python3 tool.py\n',
      'bare.sh': '#!/bin/sh\nscripts/.venv/bin/python3 tool.py',
      'exec.sh': '#!/bin/sh\nscripts/.venv/bin/python3 tool.py\n',
    });
    await fs.chmod(path.join(r.root, 'exec.sh'), 0o755);
    await fs.chmod(path.join(r.root, 'crlf.sh'), 0o700);
    const { plan: p } = await plan(r.root);
    expect(p.handled.map((h) => `${h.file}:${h.line} ${h.text}`)).toEqual([
      'bare.sh:2 scripts/.venv/bin/python3',
      'bom.sh:2 scripts/.venv/bin/python3',
      'crlf.sh:3 scripts/.venv/bin/python3',
      'exec.sh:2 scripts/.venv/bin/python3',
    ]);
    const outcome = await applyPlan(p, { skipLock: true });
    expect(outcome.refused).toEqual([]);
    expect(outcome.proofFailures).toEqual([]);
    expect((await bytes(r.root, 'crlf.sh')).toString('utf8')).toBe(
      '#!/bin/sh\r\nset -e\r\npython/.venv/bin/python3 tool.py\r\n',
    );
    expect((await bytes(r.root, 'bom.sh')).toString('hex').slice(0, 6)).toBe('efbbbf');
    expect(await r.read('bom.sh')).toBe('\uFEFF#!/bin/sh\npython/.venv/bin/python3 tool.py\n');
    expect(await r.read('bare.sh')).toBe('#!/bin/sh\npython/.venv/bin/python3 tool.py');
    expect((await fs.stat(path.join(r.root, 'exec.sh'))).mode & 0o777).toBe(0o755);
    expect((await fs.stat(path.join(r.root, 'crlf.sh'))).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(r.root, 'python/setup.sh'))).mode & 0o777).toBe(0o755);
  });

  it('refuses every write when a file changed after the plan, naming it', async () => {
    const r = await repo({ 'run.sh': '#!/bin/sh\nscripts/.venv/bin/python3 tool.py\n' });
    const { plan: p } = await plan(r.root);
    expect(p.files.map((f) => f.file)).toEqual([
      'python/README.md',
      'python/pyproject.toml',
      'python/setup.sh',
      'run.sh',
    ]);
    await r.write('run.sh', '#!/bin/sh\nscripts/.venv/bin/python3 other.py\n');
    const before = await r.snapshot();
    const outcome = await applyPlan(p, { skipLock: true });
    expect(outcome).toEqual({
      written: [],
      refused: [{ file: 'run.sh', reason: 'it changed since the plan was made' }],
      lock: undefined,
      proofFailures: [],
    });
    expect(await r.snapshot()).toEqual(before);
  });

  it('refuses when a file it would create appeared, or one it would change vanished', async () => {
    const r = await repo({ 'run.sh': '#!/bin/sh\nscripts/.venv/bin/python3 tool.py\n' });
    const { plan: p } = await plan(r.root);
    await r.write('python/README.md', '# mine\n');
    await fs.rm(path.join(r.root, 'run.sh'));
    const outcome = await applyPlan(p, { skipLock: true });
    expect(outcome.refused).toEqual([
      { file: 'python/README.md', reason: 'it was created since the plan was made' },
      { file: 'run.sh', reason: 'it was deleted since the plan was made' },
    ]);
    expect(await r.read('python/README.md')).toBe('# mine\n');
    expect(await r.exists('python/pyproject.toml')).toBe(false);
  });

  it('leaves a file whose rewrite does not take, and says so', async () => {
    const text = '#!/bin/sh\nscripts/.venv/bin/python3 tool.py\n';
    const r = await repo({ 'run.sh': text });
    const wrongVenv: Rewriter = {
      rewrite: (_c, refs) => ({
        edits: refs.map((ref) => ({
          start: ref.span.start,
          end: ref.span.end,
          replacement: 'other/.venv/bin/python3',
          reason: 'wrong',
        })),
        skipped: [],
        notes: [],
      }),
    };
    const { plan: p } = await plan(r.root, wrongVenv);
    expect(p.files.some((f) => f.file === 'run.sh')).toBe(false);
    expect(p.handled).toEqual([]);
    expect(p.unhandled.map((u) => [u.file, u.line, u.category, u.reason])).toEqual([
      [
        'run.sh',
        2,
        'not-confirmed',
        'after the rewrite the shell adapter still finds "other/.venv/bin/python3" at line 2 on other/.venv: run.sh is left as it is',
      ],
    ]);
  });

  it('counts a reference the rewriter neither edits nor skips as not confirmed', async () => {
    const r = await repo({ 'run.sh': '#!/bin/sh\nscripts/.venv/bin/python3 tool.py\n' });
    const silent: Rewriter = { rewrite: () => ({ edits: [], skipped: [], notes: [] }) };
    const { plan: p } = await plan(r.root, silent);
    expect(p.unhandled.map((u) => [u.category, u.text])).toEqual([
      ['not-confirmed', 'scripts/.venv/bin/python3'],
    ]);
  });

  it('keeps what the rewriter skips, with its reason, and still writes its other edits', async () => {
    const r = await repo({
      'run.sh': '#!/bin/sh\nscripts/.venv/bin/python3 a.py\n"$HOME/x/bin/python3" b.py\n',
    });
    const partial: Rewriter = {
      rewrite(content, refs) {
        const result = toUnified.rewrite(
          content,
          refs.filter((ref) => ref.skipReason === undefined),
          {} as never,
        );
        for (const ref of refs) {
          if (ref.skipReason !== undefined) {
            result.skipped.push({ reference: ref, reason: 'built from $HOME: set it by hand' });
          }
        }
        return result;
      },
    };
    const { plan: p } = await plan(r.root, partial);
    expect(p.unhandled.map((u) => [u.line, u.category, u.reason])).toEqual([
      [3, 'skipped', 'built from $HOME: set it by hand'],
    ]);
    expect(p.files.find((f) => f.file === 'run.sh')?.after).toBe(
      '#!/bin/sh\npython/.venv/bin/python3 a.py\n"$HOME/x/bin/python3" b.py\n',
    );
  });

  it('refuses overlapping edits and a rewriter that throws, leaving the file alone', async () => {
    const r = await repo({ 'run.sh': '#!/bin/sh\nscripts/.venv/bin/python3 tool.py\n' });
    const overlapping: Rewriter = {
      rewrite: (_c, refs) => ({
        edits: [
          { start: refs[0]!.span.start, end: refs[0]!.span.end, replacement: 'a', reason: 'a' },
          { start: refs[0]!.span.start + 1, end: refs[0]!.span.end, replacement: 'b', reason: 'b' },
        ],
        skipped: [],
        notes: [],
      }),
    };
    const first = await plan(r.root, overlapping);
    expect(first.plan.unhandled.map((u) => [u.category, u.reason])).toEqual([
      ['rewrite-failed', 'the rewrite of run.sh was refused: edits 10-35 and 11-35 overlap'],
    ]);
    const throwing: Rewriter = {
      rewrite: () => {
        throw new Error('boom');
      },
    };
    const second = await plan(r.root, throwing);
    expect(second.plan.unhandled.map((u) => [u.category, u.reason])).toEqual([
      ['rewrite-failed', 'the shell rewriter failed: boom'],
    ]);
    expect(second.plan.files.some((f) => f.file === 'run.sh')).toBe(false);
  });

  it('does not rewrite a file that is not UTF-8', async () => {
    const r = await repo({});
    await fs.writeFile(
      path.join(r.root, 'run.sh'),
      Buffer.concat([
        Buffer.from('#!/bin/sh\n# caf'),
        Buffer.from([0xe9]),
        Buffer.from('\nscripts/.venv/bin/python3 tool.py\n'),
      ]),
    );
    const { plan: p } = await plan(r.root);
    expect(p.unhandled.map((u) => [u.category, u.reason])).toEqual([
      ['rewrite-failed', 'the file is not UTF-8 text: left as it is'],
    ]);
  });

  it('lists old venvs still on disk with the command to remove them, and never deletes them', async () => {
    const r = await repo({
      '.gitignore': 'scripts/.venv/\n',
      'run.sh': '#!/bin/sh\nscripts/.venv/bin/python3 tool.py\n',
      'scripts/.venv/pyvenv.cfg': 'home = /usr/bin\n',
    });
    const rewriters = new Map<AdapterName, Rewriter>([
      ['shell', toUnified],
      ['gitignore', gitignoreRewriter],
    ]);
    const { plan: p } = await planAdoption(r.root, { interpreterVersion: '3.11.7', rewriters });
    expect(p.oldVenvs).toEqual([
      {
        path: 'scripts/.venv',
        consumers: ['gitignore .gitignore', 'script run.sh'],
        removeCommand: 'rm -rf scripts/.venv',
      },
    ]);
    expect(p.unhandled.map((u) => [u.file, u.category, u.reason])).toEqual([
      [
        '.gitignore',
        'skipped',
        'scripts/.venv still exists: the entry stays until it is removed (rm -rf scripts/.venv), then run adopt again',
      ],
    ]);
    const outcome = await applyPlan(p, { skipLock: true });
    expect([outcome.refused, outcome.proofFailures]).toEqual([[], []]);
    expect(await r.read('.gitignore')).toBe('scripts/.venv/\npython/.venv/\npython/.venv.*\n');
    expect(await r.read('scripts/.venv/pyvenv.cfg')).toBe('home = /usr/bin\n');
  });
});
