// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell text spells its variables ${name}.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realSystemPython } from '../../../test/helpers/python-install.js';
import { projectRoot } from '../../../test/helpers/repo.js';
import {
  expectOnlySkippedLeft,
  type RewriteRun,
  runRewriter,
  skips,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { writePathsPth } from '../../core/sync/install.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

/** What the declaration of the example repository holds (replay and its test extra). */
const FACTS: Partial<AdoptFacts> = {
  declaredPackages: ['fastapi', 'httpx', 'pydantic', 'pytest', 'replay', 'requests', 'uvicorn'],
  editables: ['replay'],
  paths: ['build/Debug/debug', 'build/debug/python'],
};

/** `bash -n`/`sh -n` on the text (CRLF read as LF: the shells themselves choke on CR). */
function syntaxErrors(text: string, shell: 'bash' | 'sh'): string {
  const input = text.replace(/\r\n/g, '\n');
  const result = spawnSync(shell, ['-n'], { input, encoding: 'utf8' });
  return result.status === 0 ? '' : result.stderr;
}

/**
 * Rewrites `text` as adopt does and checks what every rewrite must hold: the new text
 * passes `bash -n` (and `sh -n` for a sh script), every reference still off the unified
 * venv is one the rewriter skipped, and rewriting the new text changes nothing.
 */
function rewrite(
  text: string,
  file = 'tools/run.sh',
  facts: Partial<AdoptFacts> = FACTS,
): RewriteRun {
  const run = runRewriter(adapter, rewriter, text, file, { facts });
  expect(syntaxErrors(run.text, 'bash')).toBe('');
  if (text.startsWith('#!/bin/sh')) expect(syntaxErrors(run.text, 'sh')).toBe('');
  expectOnlySkippedLeft(run);
  expect(runRewriter(adapter, rewriter, run.text, file, { facts }).result.edits).toEqual([]);
  return run;
}

const CHECK = '{ echo "python/.venv is missing: run python/setup.sh" >&2; exit 1; }';
const ROOT_FROM_TOOLS = '$(cd "$(dirname "$0")/.." && pwd)';

const EXAMPLE = readFileSync(
  path.join(projectRoot, 'examples/telemetry-sim/replay/start_server.sh'),
  'utf8',
);
const EXAMPLE_AFTER = [
  '#!/usr/bin/env bash',
  '# Start the replay server (creates its own venv on first run).',
  'set -euo pipefail',
  'cd "$(dirname "$0")"',
  '',
  `[ -x ../python/.venv/bin/python3 ] || ${CHECK}`,
  'source ../python/.venv/bin/activate',
  '',
  '# msd_reader is built by CMake into the build directory.',
  'if ! python3 -c "import msd_reader" 2>/dev/null; then',
  '  echo "msd_reader is not built: run cmake --preset debug && cmake --build --preset debug" >&2',
  '  exit 1',
  'fi',
  '',
  'exec uvicorn replay.app:app --host "${REPLAY_HOST:-127.0.0.1}" --port "${REPLAY_PORT:-8765}"',
  '',
].join('\n');

describe('shell rewriter', () => {
  it('moves the example start script onto the shared venv (AC7)', () => {
    const run = rewrite(EXAMPLE, 'replay/start_server.sh');
    expect(run.text).toEqual(EXAMPLE_AFTER);
    expect(run.result.edits.map((e) => e.reason)).toEqual([
      'venv creation → a check for python/.venv (built by python/setup.sh)',
      'activation → python/.venv',
      'pip install removed: python/requirements.txt holds it',
      'PYTHONPATH ../build/debug/python removed: python/.venv has build/debug/python on sys.path',
    ]);
    expect(run.result.skipped).toEqual([]);
    expect(run.after.map((r) => [r.line, r.text, r.kind, r.environment])).toEqual([
      [6, '../python/.venv/bin/python3', 'interpreter-path', 'python/.venv'],
      [7, '../python/.venv/bin/activate', 'venv-activate', 'python/.venv'],
      [10, 'python3', 'python-command', 'python/.venv'],
    ]);
  });

  it('moves the seed ticket start script, keeping a PYTHONPATH the caller can override', () => {
    const seed = readFileSync(
      path.join(projectRoot, 'test/fixtures/seed-before/replay/start_server.sh'),
      'utf8',
    );
    const run = rewrite(seed, 'replay/start_server.sh');
    expect(run.text).toEqual(
      [
        '#!/usr/bin/env bash',
        '# Starts the replay server on http://127.0.0.1:8000.',
        '# Needs the C++ build first: msd_reader is loaded from the build directory.',
        'set -euo pipefail',
        '',
        'SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
        'PROJECT_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"',
        'BUILD_DIR="${BUILD_DIR:-$PROJECT_ROOT/build/Debug/debug}"',
        '',
        'cd "$SCRIPT_DIR"',
        '',
        `[ -x ../python/.venv/bin/python3 ] || ${CHECK}`,
        '',
        'source ../python/.venv/bin/activate',
        '',
        'export PYTHONPATH="$BUILD_DIR:${PYTHONPATH:-}"',
        '',
        'exec python -m uvicorn replay.server:app --host 127.0.0.1 --port "${PORT:-8000}"',
        '',
      ].join('\n'),
    );
    expect(run.result.notes).toEqual([
      'PYTHONPATH entry $BUILD_DIR kept: it can be set from outside; python/.venv already has build/Debug/debug on sys.path',
    ]);
    expect(run.after.filter((r) => !r.unified)).toEqual([]);
  });

  it('anchors paths at the script when it runs wherever it is called from', () => {
    const run = rewrite(
      '#!/bin/sh\nset -e\npython3 -m venv .venv\n. .venv/bin/activate\npip install -r requirements.txt\npython app.py\n',
    );
    expect(run.text).toEqual(
      [
        '#!/bin/sh',
        'set -e',
        `[ -x "${ROOT_FROM_TOOLS}/python/.venv/bin/python3" ] || ${CHECK}`,
        `. "${ROOT_FROM_TOOLS}/python/.venv/bin/activate"`,
        'python app.py',
        '',
      ].join('\n'),
    );
    // From the repository root and from tools/, the anchored path is the same venv.
    expect(run.after.map((r) => [r.text.slice(0, 12), r.kind, r.environment])).toEqual([
      ['"$(cd "$(dir', 'interpreter-path', 'python/.venv'],
      ['"$(cd "$(dir', 'venv-activate', 'python/.venv'],
      ['python', 'python-command', 'python/.venv'],
    ]);
  });

  it('keeps what stands for a directory before the venv; installs chained to the creation go', () => {
    const run = rewrite(
      [
        '#!/usr/bin/env bash',
        'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
        'python3 -m venv "$HERE/.venv" && "$HERE/.venv/bin/pip" install -r "$HERE/requirements.txt"',
        'source "$HERE/.venv/bin/activate" || exit 1',
        'exec python -m app "$@"',
        '',
      ].join('\n'),
      'scripts/setup_venv.sh',
    );
    expect(run.text).toEqual(
      [
        '#!/usr/bin/env bash',
        'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
        `[ -x "$HERE/../python/.venv/bin/python3" ] || ${CHECK}`,
        'source "$HERE/../python/.venv/bin/activate" || exit 1',
        'exec python -m app "$@"',
        '',
      ].join('\n'),
    );
  });

  it('writes paths in direnv’s .envrc relative to its directory, where direnv evaluates it', () => {
    const run = rewrite(
      'source .venv/bin/activate\nexport PYTHONPATH=../build/debug/python\n',
      'svc/.envrc',
    );
    expect(run.text).toEqual('source ../python/.venv/bin/activate\n');
  });

  it('uses ${BASH_SOURCE[0]} to anchor paths when the script already does', () => {
    const run = rewrite(
      '#!/bin/bash\nHERE="$(dirname "${BASH_SOURCE[0]}")"\n.venv/bin/python x.py\n',
      'a/b/run.sh',
    );
    expect(run.text).toEqual(
      '#!/bin/bash\nHERE="$(dirname "${BASH_SOURCE[0]}")"\n"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/python/.venv/bin/python" x.py\n',
    );
  });

  it('replaces an if-block that creates the venv, echo and installs included; keeps CRLF', () => {
    const run = rewrite(
      '#!/bin/bash\r\nif [ ! -d .venv ]; then\r\n  echo "making venv"\r\n  python3 -m venv .venv\r\n  .venv/bin/pip install -r requirements.txt\r\nfi\r\n.venv/bin/python app.py\r\n',
    );
    expect(run.text).toEqual(
      `#!/bin/bash\r\n[ -x "${ROOT_FROM_TOOLS}/python/.venv/bin/python3" ] || ${CHECK}\r\n"${ROOT_FROM_TOOLS}/python/.venv/bin/python" app.py\r\n`,
    );
  });

  it('replaces a guarded creation and one-line blocks; a file without a final newline keeps none', () => {
    const run = rewrite(
      '#!/bin/bash\ncd "$(dirname "$0")"\n[ -d venv ] || virtualenv venv\nif [ ! -x venv/bin/python ]; then uv venv venv; fi\nvenv/bin/python -m pytest',
    );
    expect(run.text).toEqual(
      `#!/bin/bash\ncd "$(dirname "$0")"\n[ -x ../python/.venv/bin/python3 ] || ${CHECK}\n[ -x ../python/.venv/bin/python3 ] || ${CHECK}\n../python/.venv/bin/python -m pytest`,
    );
  });

  it('moves venv variables once, and takes the old venv out of rm', () => {
    const run = rewrite(
      [
        '#!/bin/bash',
        'cd "$(dirname "$0")"',
        'VENV=.venv',
        'PYTHON="$VENV/bin/python"',
        '[ -d "$VENV" ] || python3 -m venv "$VENV"',
        '"$PYTHON" -m pip install requests',
        '$PYTHON app.py',
        'clean() {',
        '  rm -rf "$VENV" build',
        '}',
        'reset() {',
        '  rm -rf "$VENV"',
        '}',
        '',
      ].join('\n'),
    );
    expect(run.text).toEqual(
      [
        '#!/bin/bash',
        'cd "$(dirname "$0")"',
        'VENV=../python/.venv',
        'PYTHON="$VENV/bin/python"',
        `[ -x ../python/.venv/bin/python3 ] || ${CHECK}`,
        '$PYTHON app.py',
        'clean() {',
        '  rm -rf build',
        '}',
        'reset() {',
        '  :',
        '}',
        '',
      ].join('\n'),
    );
    expect(run.result.notes).toEqual([
      '"$VENV" taken out of rm at line 9: it would now delete python/.venv',
      '"$VENV" taken out of rm at line 12: it would now delete python/.venv',
    ]);
  });

  it('keeps $PWD-based PATH activation absolute; keeps installs the lock does not hold', () => {
    const run = rewrite(
      '#!/bin/bash\ncd "$(dirname "$0")"\nexport PATH="$PWD/.venv/bin:$PATH"\npip install flask\npython -m flask run\nif [ -f requirements.txt ]; then\n  pip install -r requirements.txt\nfi\n',
    );
    expect(run.text).toEqual(
      '#!/bin/bash\ncd "$(dirname "$0")"\nexport PATH="$PWD/../python/.venv/bin:$PATH"\npip install flask\npython -m flask run\n',
    );
    expect(skips(run)).toEqual([
      [
        'pip install flask',
        'installs flask, which python/pyproject.toml does not declare: add it (onevenv add), then remove this install',
      ],
    ]);
  });

  it('skips values built from variables it cannot resolve, with the reason, and moves the rest', () => {
    const run = rewrite(
      '#!/bin/bash\nVENV="${VENV_ROOT}/tools"\n"$VENV/bin/python" x.py\n.venv/bin/python y.py\n',
    );
    expect(run.text).toEqual(
      `#!/bin/bash\nVENV="\${VENV_ROOT}/tools"\n"$VENV/bin/python" x.py\n"${ROOT_FROM_TOOLS}/python/.venv/bin/python" y.py\n`,
    );
    const reason = 'built from a variable onevenv cannot resolve: point it at python/.venv by hand';
    expect(skips(run)).toEqual([
      ['VENV="${VENV_ROOT}/tools"', reason],
      ['"$VENV/bin/python"', reason],
    ]);
  });

  it('moves a bare python3 from PATH to the venv interpreter and drops PYTHONPATH the venv provides', () => {
    const run = rewrite(
      '#!/bin/sh\ncd "$(dirname "$0")/.."\nexport PYTHONPATH="src:build/debug/python:${PYTHONPATH:-}"\nPYTHONPATH=build/debug/python python3 scripts/gen.py\n',
    );
    // The exported one keeps src/, and a PYTHONPATH outside any venv stays off it: reported.
    expect(run.text).toEqual(
      '#!/bin/sh\ncd "$(dirname "$0")/.."\nexport PYTHONPATH="src:build/debug/python:${PYTHONPATH:-}"\npython/.venv/bin/python3 scripts/gen.py\n',
    );
    expect(skips(run)).toEqual([
      [
        'PYTHONPATH="src:build/debug/python:${PYTHONPATH:-}"',
        'build/debug/python can go from this PYTHONPATH (python/.venv has build/debug/python on sys.path); the rest is for what runs without the venv',
      ],
    ]);
  });

  it('changes nothing in a script already on the shared venv, or without Python', () => {
    for (const text of [
      '#!/bin/sh\n[ -x python/.venv/bin/python3 ] || { echo "x" >&2; exit 1; }\n. python/.venv/bin/activate\npython -m pytest\n',
      '#!/bin/sh\nmake -j4\n',
      '',
    ]) {
      const run = rewrite(text, 'run.sh');
      expect(run.result).toEqual({ edits: [], skipped: [], notes: [] });
    }
  });

  it('leaves look-alikes alone: comments, echo, heredocs, strings', () => {
    const text = [
      '#!/bin/sh',
      '# python3 -m venv .venv',
      'echo "source .venv/bin/activate"',
      'cat <<EOF',
      'pip install -r requirements.txt',
      'EOF',
      'git commit -m "python3 -m venv .venv"',
      'uv venv',
      'uv pip install -r requirements.txt',
      '.venv/bin/python -m pytest',
      '',
    ].join('\n');
    const run = rewrite(text, 'run.sh');
    const root = '$(cd "$(dirname "$0")" && pwd)';
    expect(run.text).toEqual(
      [
        ...text.split('\n').slice(0, 7),
        `[ -x "${root}/python/.venv/bin/python3" ] || ${CHECK}`,
        `"${root}/python/.venv/bin/python" -m pytest`,
        '',
      ].join('\n'),
    );
  });

  it('never rewrites python/setup.sh, which builds the venv', () => {
    const run = rewrite('#!/bin/sh\npython3 -m venv python/.venv\n', 'python/setup.sh');
    expect(run.result.edits).toEqual([]);
  });

  it('holds for generated scripts: everything moves or is skipped, and a second run changes nothing', () => {
    const venv = fc.constantFrom('.venv', 'venv', 'env/tools');
    const line = venv.chain((v) =>
      fc.constantFrom(
        `python3 -m venv ${v}`,
        `if [ ! -d ${v} ]; then\n  python3 -m venv ${v}\nfi`,
        `[ -d ${v} ] || python3 -m venv ${v}`,
        `virtualenv ${v}`,
        `uv venv ${v}`,
        `source ${v}/bin/activate`,
        `. ${v}/bin/activate`,
        `export PATH="$PWD/${v}/bin:$PATH"`,
        'pip install -r requirements.txt',
        `${v}/bin/pip install fastapi`,
        'python -m pip install -e ../replay',
        'pip install --upgrade pip',
        'pip install left-pad',
        `${v}/bin/python -m pip install -q requests uvicorn && echo done`,
        'python3 app.py',
        `${v}/bin/python3 -m pytest`,
        `VENV=${v}`,
        '"$VENV/bin/python" -c "import sys"',
        `echo "python3 -m venv ${v}"`,
        `# source ${v}/bin/activate`,
        'cat <<EOF\npip install -r requirements.txt\nEOF',
        'export PYTHONPATH="../build/debug/python:${PYTHONPATH:-}"',
      ),
    );
    const script = fc.record({
      shebang: fc.constantFrom('#!/bin/bash', '#!/bin/sh', '#!/usr/bin/env bash'),
      cd: fc.constantFrom('', 'cd "$(dirname "$0")"\n', 'cd "$(dirname "$0")/.."\n'),
      lines: fc.array(line, { maxLength: 8 }),
      file: fc.constantFrom('run.sh', 'replay/run.sh', 'a/b/run.sh'),
      crlf: fc.boolean(),
    });
    fc.assert(
      fc.property(script, ({ shebang, cd, lines, file, crlf }) => {
        let text = `${shebang}\nset -e\n${cd}${lines.join('\n')}\n`;
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const run = rewrite(text, file);
        // Look-alikes come through untouched.
        for (const kept of lines.filter((l) => /^(?:echo|#|cat)/.test(l))) {
          expect(run.text.replace(/\r\n/g, '\n')).toContain(kept);
        }
      }),
      { numRuns: 120 },
    );
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const MSD_READER = `"""Stand-in for the C++ module the CMake build puts in build/debug/python."""


def read_records(text):
    return [line for line in text.splitlines() if line.strip()]


def mean_speed(records):
    return 0.0
`;

describe('the rewritten example start script, run for real', () => {
  let repo: string;
  let server: ChildProcess | undefined;
  const script = () => path.join(repo, 'replay/start_server.sh');
  const runScript = () =>
    spawnSync('bash', [script()], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, VIRTUAL_ENV: '' },
    });

  beforeAll(async () => {
    repo = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-start-server-'));
    await fs.cp(
      path.join(projectRoot, 'examples/telemetry-sim/replay'),
      path.join(repo, 'replay'),
      {
        recursive: true,
      },
    );
    const run = runRewriter(adapter, rewriter, EXAMPLE, 'replay/start_server.sh', { facts: FACTS });
    await fs.writeFile(script(), run.text, { mode: 0o755 });
  });

  afterAll(async () => {
    if (server?.pid !== undefined && server.exitCode === null && server.signalCode === null) {
      process.kill(-server.pid, 'SIGKILL');
    }
    await fs.rm(repo, { recursive: true, force: true });
  });

  it('stops with the setup command when python/.venv is missing', () => {
    const result = runScript();
    expect([result.status, result.stderr]).toEqual([
      1,
      'python/.venv is missing: run python/setup.sh\n',
    ]);
  });

  it('serves /health with uvicorn from python/.venv and msd_reader from the build directory', async () => {
    const venv = path.join(repo, 'python/.venv');
    execFileSync('uv', ['venv', '--quiet', '--python', realSystemPython(), venv]);
    execFileSync('uv', [
      'pip',
      'install',
      '--quiet',
      '--python',
      path.join(venv, 'bin/python3'),
      '-e',
      path.join(repo, 'replay'),
    ]);
    const build = path.join(repo, 'build/debug/python');
    await writePathsPth(venv, [build]);

    // The venv is there, the C++ module is not built yet: the script's own check speaks.
    const unbuilt = runScript();
    expect([unbuilt.status, unbuilt.stderr]).toEqual([
      1,
      'msd_reader is not built: run cmake --preset debug && cmake --build --preset debug\n',
    ]);

    await fs.mkdir(build, { recursive: true });
    await fs.writeFile(path.join(build, 'msd_reader.py'), MSD_READER);
    const port = await freePort();
    let stderr = '';
    server = spawn('bash', [script()], {
      cwd: os.tmpdir(),
      detached: true,
      env: { ...process.env, VIRTUAL_ENV: '', REPLAY_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr!.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) =>
      server!.on('exit', (code) => resolve(code)),
    );
    let body: unknown;
    for (let attempt = 0; attempt < 300 && body === undefined; attempt++) {
      if (server.exitCode !== null) throw new Error(`start_server.sh exited: ${stderr}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        body = await response.json();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    // `exec uvicorn` replaced the shell: the server process runs the shared venv's uvicorn.
    const command = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
    process.kill(-server.pid!, 'SIGTERM');
    await exited;
    expect(body).toEqual({ status: 'ok', reader: 'msd_reader' });
    expect(command.slice(1, 3)).toEqual([path.join(venv, 'bin/uvicorn'), 'replay.app:app']);
  });
});
