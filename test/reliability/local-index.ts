import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wheelhouseDir } from '../helpers/wheelhouse.js';

/**
 * The test wheelhouse served as a PEP 503 simple index over HTTP on 127.0.0.1, by Python's
 * own http.server: a real index that a URL with credentials can name (the server ignores
 * them), for the tests that follow credentials through lock and sync.
 */

export interface LocalIndex {
  /** `http://127.0.0.1:<port>/simple` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startLocalIndex(): Promise<LocalIndex> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-local-index-'));
  const wheels = (await fs.readdir(wheelhouseDir())).filter((f) => f.endsWith('.whl'));
  const byName = new Map<string, string[]>();
  await fs.mkdir(path.join(root, 'files'));
  for (const wheel of wheels) {
    const name = wheel
      .split('-')[0]!
      .toLowerCase()
      .replace(/[-_.]+/g, '-');
    byName.set(name, [...(byName.get(name) ?? []), wheel]);
    await fs.copyFile(path.join(wheelhouseDir(), wheel), path.join(root, 'files', wheel));
  }
  for (const [name, files] of byName) {
    const links: string[] = [];
    for (const file of files) {
      const digest = createHash('sha256')
        .update(await fs.readFile(path.join(root, 'files', file)))
        .digest('hex');
      links.push(`<a href="../../files/${file}#sha256=${digest}">${file}</a><br>`);
    }
    await fs.mkdir(path.join(root, 'simple', name), { recursive: true });
    await fs.writeFile(
      path.join(root, 'simple', name, 'index.html'),
      `<!DOCTYPE html><html><body>${links.join('\n')}</body></html>\n`,
    );
  }
  const server: ChildProcess = spawn(
    'python3',
    ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', root, '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`http.server did not start: ${out}`)), 15_000);
    server.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /port (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    server.on('error', reject);
  });
  // Drain the access log so the pipe never fills.
  server.stderr?.resume();
  return {
    url: `http://127.0.0.1:${port}/simple`,
    port,
    async stop() {
      server.kill('SIGKILL');
      await new Promise((resolve) => {
        if (server.exitCode !== null || server.signalCode !== null) resolve(undefined);
        else server.on('close', resolve);
      });
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}
