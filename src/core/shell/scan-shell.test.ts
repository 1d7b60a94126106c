// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell text spells its variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN } from '../../adapters/types.js';
import { repoPath, type ScanShellOptions, scanShell } from './index.js';

/** Findings with the text they cover, so expectations read like the script. */
function scan(text: string, options: Partial<ScanShellOptions> = {}) {
  return scanShell(text, { cwd: '', ...options }).findings.map(({ start, end, ...rest }) => ({
    text: text.slice(start, end),
    ...rest,
  }));
}

describe('scanShell', () => {
  it('follows the seed ticket start script: cd to its own dir, venv, activate, pip, PYTHONPATH', () => {
    const text = [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
      'PROJECT_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"',
      'BUILD_DIR="${BUILD_DIR:-$PROJECT_ROOT/build/Debug/debug}"',
      'cd "$SCRIPT_DIR"',
      'if [ ! -d .venv ]; then',
      '  echo "Creating replay virtual environment..."',
      '  python3 -m venv .venv',
      'fi',
      'source .venv/bin/activate',
      'pip install --quiet -e .',
      'export PYTHONPATH="$BUILD_DIR:${PYTHONPATH:-}"',
      'exec python -m uvicorn replay.server:app --port "${PORT:-8000}"',
    ].join('\n');
    expect(scan(text, { cwd: '', script: 'replay/start_server.sh' })).toEqual([
      {
        text: 'python3 -m venv .venv',
        kind: 'venv-create',
        environment: 'replay/.venv',
        meta: { tool: 'venv', path: '.venv' },
      },
      { text: '.venv/bin/activate', kind: 'venv-activate', environment: 'replay/.venv' },
      {
        text: 'pip install --quiet -e .',
        kind: 'pip-install',
        environment: 'replay/.venv',
        meta: { installer: 'pip', editables: ['replay'] },
      },
      {
        text: 'PYTHONPATH="$BUILD_DIR:${PYTHONPATH:-}"',
        kind: 'pythonpath',
        environment: 'replay/.venv',
        meta: { paths: ['build/Debug/debug'], appends: true },
      },
      {
        text: 'python',
        kind: 'python-command',
        environment: 'replay/.venv',
        meta: { module: 'uvicorn' },
      },
    ]);
  });

  it('carries venv variables from one text to the next', () => {
    const first = scanShell('VENV=tools/.venv\nX=1', { cwd: '' });
    expect(first.venvVariables).toEqual({ VENV: { environment: 'tools/.venv' } });
    const second = scanShell('rm -rf "$VENV"\n$VENV/bin/python a.py', {
      cwd: 'sub',
      variables: first.variables,
      venvVariables: first.venvVariables,
    });
    expect(second.findings.map(({ start, end, ...f }) => f)).toEqual([
      { kind: 'venv-variable', environment: 'tools/.venv', meta: { variable: 'VENV', use: true } },
      { kind: 'python-command', environment: 'sub/tools/.venv', meta: { variable: 'VENV' } },
    ]);
  });

  it('hands $GITHUB_PATH and $GITHUB_ENV entries to later steps', () => {
    const text = [
      'python -m venv .venv',
      'echo "$PWD/.venv/bin" >> "$GITHUB_PATH"',
      'echo "VIRTUAL_ENV=$PWD/.venv" >> $GITHUB_ENV',
      'echo "PYTHONPATH=src" >> $GITHUB_ENV',
      'echo "$PWD/node_modules/.bin" >> "$GITHUB_PATH"',
      'echo "done" > log.txt',
    ].join('\n');
    const result = scanShell(text, { cwd: 'app' });
    expect(
      result.findings.map(({ start, end, ...f }) => ({ text: text.slice(start, end), ...f })),
    ).toEqual([
      {
        text: 'python -m venv .venv',
        kind: 'venv-create',
        environment: 'app/.venv',
        meta: { tool: 'venv', path: '.venv' },
      },
      {
        text: '"$PWD/.venv/bin"',
        kind: 'venv-activate',
        environment: 'app/.venv',
        meta: { via: 'GITHUB_PATH' },
      },
      {
        text: '"VIRTUAL_ENV=$PWD/.venv"',
        kind: 'venv-variable',
        environment: 'app/.venv',
        meta: { variable: 'VIRTUAL_ENV', via: 'GITHUB_ENV' },
      },
      {
        text: '"PYTHONPATH=src"',
        kind: 'pythonpath',
        environment: ENV_PATH_PYTHON,
        meta: { paths: ['app/src'], via: 'GITHUB_ENV' },
      },
    ]);
    expect(result.exported).toEqual({
      variables: { VIRTUAL_ENV: `${repoPath('app/.venv')}`, PYTHONPATH: 'src' },
      venvVariables: { VIRTUAL_ENV: { environment: 'app/.venv' } },
      active: { environment: 'app/.venv' },
    });
    expect(scan('python -m pytest', { active: result.exported.active })).toEqual([
      {
        text: 'python',
        kind: 'python-command',
        environment: 'app/.venv',
        meta: { module: 'pytest' },
      },
    ]);
  });

  it('returns the variables known at the end', () => {
    const result = scanShell('A=1\nB="$A/x"\nC=$(curl x)\n', { cwd: '' });
    expect(result.variables).toEqual({ A: '1', B: '1/x' });
  });

  it('resolves interpreter paths to their venv, relative to cwd and cd', () => {
    const text = 'scripts/.venv/bin/python3 a.py\ncd tools && ../scripts/.venv/bin/python3 b.py\n';
    expect(scan(text)).toEqual([
      { text: 'scripts/.venv/bin/python3', kind: 'python-command', environment: 'scripts/.venv' },
      {
        text: '../scripts/.venv/bin/python3',
        kind: 'python-command',
        environment: 'scripts/.venv',
      },
    ]);
    expect(scan('.venv/bin/python x.py', { cwd: 'replay' })).toEqual([
      { text: '.venv/bin/python', kind: 'python-command', environment: 'replay/.venv' },
    ]);
  });

  it('reads an interpreter path given inline to an option as the path after its =', () => {
    const text = [
      'cmake -S .. -B ../build -DPython3_EXECUTABLE=../scripts/.venv/bin/python3',
      'cmake -DPYTHON_EXECUTABLE:FILEPATH="$PWD/scripts/.venv/bin/python" ..',
      'mytool --python=../scripts/.venv/bin/python run',
      'cmake "-DPython_EXECUTABLE=../scripts/.venv/bin/python3"',
    ].join('\n');
    expect(scan(text, { cwd: 'tools', script: 'tools/build.sh' })).toEqual([
      {
        text: '../scripts/.venv/bin/python3',
        kind: 'interpreter-path',
        environment: 'scripts/.venv',
      },
      {
        text: '"$PWD/scripts/.venv/bin/python"',
        kind: 'interpreter-path',
        environment: 'tools/scripts/.venv',
        meta: { variable: 'PWD' },
      },
      {
        text: '../scripts/.venv/bin/python',
        kind: 'interpreter-path',
        environment: 'scripts/.venv',
      },
      {
        // The option and the path share the quotes: reported, not moved.
        text: '"-DPython_EXECUTABLE=../scripts/.venv/bin/python3"',
        kind: 'interpreter-path',
        environment: 'scripts/.venv',
        skipReason: 'unsupported',
      },
    ]);
  });

  it('reports a reference already on the unified venv', () => {
    expect(scan('python/.venv/bin/python3 -m pytest')).toEqual([
      {
        text: 'python/.venv/bin/python3',
        kind: 'python-command',
        environment: 'python/.venv',
        meta: { module: 'pytest' },
      },
    ]);
  });

  it('tells bare, system, Windows and outside interpreters apart', () => {
    const text = [
      'python3 a.py',
      'python3.12 b.py',
      '/usr/bin/python3 c.py',
      '.venv\\Scripts\\python.exe d.py',
      '"C:\\tools\\venv\\Scripts\\python.exe" e.py',
      '/opt/venv/bin/python f.py',
      '../other/.venv/bin/python g.py',
      '~/.venvs/x/bin/python h.py',
    ].join('\n');
    expect(scan(text)).toEqual([
      { text: 'python3', kind: 'python-command', environment: ENV_PATH_PYTHON },
      { text: 'python3.12', kind: 'python-command', environment: ENV_PATH_PYTHON },
      { text: '/usr/bin/python3', kind: 'python-command', environment: ENV_SYSTEM },
      { text: '.venv\\Scripts\\python.exe', kind: 'python-command', environment: '.venv' },
      {
        text: '"C:\\tools\\venv\\Scripts\\python.exe"',
        kind: 'python-command',
        environment: 'C:/tools/venv',
        skipReason: 'external-interpreter',
      },
      {
        text: '/opt/venv/bin/python',
        kind: 'python-command',
        environment: '/opt/venv',
        skipReason: 'external-interpreter',
      },
      {
        text: '../other/.venv/bin/python',
        kind: 'python-command',
        environment: '../other/.venv',
        skipReason: 'external-interpreter',
      },
      {
        text: '~/.venvs/x/bin/python',
        kind: 'python-command',
        environment: '~/.venvs/x',
        skipReason: 'external-interpreter',
      },
    ]);
  });

  it('recognises virtualenv, uv venv and their options', () => {
    const text = [
      'virtualenv -p python3.11 tools/env',
      'uv venv --python 3.12',
      'uv venv --seed build/.venv',
      'python3 -m venv --upgrade-deps --prompt app .venv',
      'python -m virtualenv venv2',
    ].join('\n');
    expect(scan(text)).toEqual([
      {
        text: 'virtualenv -p python3.11 tools/env',
        kind: 'venv-create',
        environment: 'tools/env',
        meta: { tool: 'virtualenv', path: 'tools/env' },
      },
      {
        text: 'uv venv --python 3.12',
        kind: 'venv-create',
        environment: '.venv',
        meta: { tool: 'uv' },
      },
      {
        text: 'uv venv --seed build/.venv',
        kind: 'venv-create',
        environment: 'build/.venv',
        meta: { tool: 'uv', path: 'build/.venv' },
      },
      {
        text: 'python3 -m venv --upgrade-deps --prompt app .venv',
        kind: 'venv-create',
        environment: '.venv',
        meta: { tool: 'venv', path: '.venv' },
      },
      {
        text: 'python -m virtualenv venv2',
        kind: 'venv-create',
        environment: 'venv2',
        meta: { tool: 'virtualenv', path: 'venv2' },
      },
    ]);
  });

  it('collects requirements, constraints, editables and packages of pip installs', () => {
    const text = [
      'pip install -r requirements.txt -c constraints.txt --requirement=dev.txt -rtest.txt',
      'scripts/.venv/bin/pip install -e ../lib "fastapi>=0.110" uvicorn -i https://x/simple',
      'python3 -m pip install --upgrade pip',
      'uv pip install --python .venv/bin/python -r req.txt',
      'pip freeze > out.txt',
    ].join('\n');
    expect(scan(text, { cwd: 'app' })).toEqual([
      {
        text: 'pip install -r requirements.txt -c constraints.txt --requirement=dev.txt -rtest.txt',
        kind: 'pip-install',
        environment: ENV_PATH_PYTHON,
        meta: {
          installer: 'pip',
          requirements: ['app/requirements.txt', 'app/dev.txt', 'app/test.txt'],
          constraints: ['app/constraints.txt'],
        },
      },
      {
        text: 'scripts/.venv/bin/pip install -e ../lib "fastapi>=0.110" uvicorn -i https://x/simple',
        kind: 'pip-install',
        environment: 'app/scripts/.venv',
        meta: { installer: 'pip', editables: ['lib'], packages: ['fastapi>=0.110', 'uvicorn'] },
      },
      {
        text: 'python3 -m pip install --upgrade pip',
        kind: 'pip-install',
        environment: ENV_PATH_PYTHON,
        meta: { installer: 'pip', packages: ['pip'] },
      },
      {
        text: 'uv pip install --python .venv/bin/python -r req.txt',
        kind: 'pip-install',
        environment: 'app/.venv',
        meta: { installer: 'uv', requirements: ['app/req.txt'] },
      },
    ]);
  });

  it('keeps extras, URLs and direct references of pip arguments as written', () => {
    const text = [
      'pip install -e ".[dev]" -e git+https://example.org/x.git#egg=x "pkg @ file:///tmp/p" ./lib[fast]',
      'uv pip install --system ruff',
      'PY="$(command -v python3)"',
      '"$PY" -m pytest',
    ].join('\n');
    expect(scan(text, { cwd: 'app' })).toEqual([
      {
        text: 'pip install -e ".[dev]" -e git+https://example.org/x.git#egg=x "pkg @ file:///tmp/p" ./lib[fast]',
        kind: 'pip-install',
        environment: ENV_PATH_PYTHON,
        meta: {
          installer: 'pip',
          editables: ['app[dev]', 'git+https://example.org/x.git#egg=x'],
          packages: ['pkg @ file:///tmp/p', 'app/lib[fast]'],
        },
      },
      {
        text: 'uv pip install --system ruff',
        kind: 'pip-install',
        environment: ENV_PATH_PYTHON,
        meta: { installer: 'uv', packages: ['ruff'] },
      },
      {
        text: 'PY="$(command -v python3)"',
        kind: 'venv-variable',
        environment: ENV_PATH_PYTHON,
        meta: { variable: 'PY' },
      },
      {
        text: '"$PY"',
        kind: 'python-command',
        environment: ENV_PATH_PYTHON,
        meta: { variable: 'PY', module: 'pytest' },
      },
    ]);
  });

  it('binds venv variables and resolves their later uses', () => {
    const text = [
      'VENV_DIR=.venv',
      'PYTHON="$VENV_DIR/bin/python3"',
      '[ -d "$VENV_DIR" ] || python3 -m venv "$VENV_DIR"',
      '"$PYTHON" -m pytest',
      '${PYTHON} tool.py',
      'rm -rf "$VENV_DIR"',
      'echo "using $PYTHON"',
    ].join('\n');
    expect(scan(text, { cwd: 'svc' })).toEqual([
      {
        text: 'VENV_DIR=.venv',
        kind: 'venv-variable',
        environment: 'svc/.venv',
        meta: { variable: 'VENV_DIR' },
      },
      {
        text: 'PYTHON="$VENV_DIR/bin/python3"',
        kind: 'venv-variable',
        environment: 'svc/.venv',
        meta: { variable: 'PYTHON' },
      },
      {
        text: '"$VENV_DIR"',
        kind: 'venv-variable',
        environment: 'svc/.venv',
        meta: { variable: 'VENV_DIR', use: true },
      },
      {
        text: 'python3 -m venv "$VENV_DIR"',
        kind: 'venv-create',
        environment: 'svc/.venv',
        meta: { tool: 'venv', path: '"$VENV_DIR"', variable: 'VENV_DIR' },
      },
      {
        text: '"$PYTHON"',
        kind: 'python-command',
        environment: 'svc/.venv',
        meta: { variable: 'PYTHON', module: 'pytest' },
      },
      {
        text: '${PYTHON}',
        kind: 'python-command',
        environment: 'svc/.venv',
        meta: { variable: 'PYTHON' },
      },
      {
        text: '"$VENV_DIR"',
        kind: 'venv-variable',
        environment: 'svc/.venv',
        meta: { variable: 'VENV_DIR', use: true },
      },
    ]);
  });

  it('marks values built from unknown variables as contains-variable', () => {
    const text = [
      'VENV="$HOME/.venvs/tools"',
      'source "$VENV/bin/activate"',
      '"$OTHER/bin/python3" x.py',
      '$PYTHON x.py',
      'export PYTHONPATH="$SOMEWHERE/lib"',
    ].join('\n');
    expect(scan(text)).toEqual([
      {
        text: 'VENV="$HOME/.venvs/tools"',
        kind: 'venv-variable',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'VENV' },
      },
      {
        text: '"$VENV/bin/activate"',
        kind: 'venv-activate',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'VENV' },
      },
      {
        text: '"$OTHER/bin/python3"',
        kind: 'python-command',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'OTHER' },
      },
      {
        text: '$PYTHON',
        kind: 'python-command',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'PYTHON' },
      },
      {
        text: 'PYTHONPATH="$SOMEWHERE/lib"',
        kind: 'pythonpath',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { paths: [] },
      },
    ]);
  });

  it('uses known variables given by the caller, root-anchored ones included', () => {
    const text = '${workspaceFolder}/scripts/.venv/bin/python3 x.py';
    expect(scan(text, { cwd: 'sub', variables: { workspaceFolder: repoPath('') } })).toEqual([
      {
        text: '${workspaceFolder}/scripts/.venv/bin/python3',
        kind: 'python-command',
        environment: 'scripts/.venv',
        meta: { variable: 'workspaceFolder' },
      },
    ]);
  });

  it('does not report look-alikes: comments, echo arguments, quoted prose, heredocs', () => {
    const text = [
      '# python3 -m venv .venv',
      'echo "run python3 -m venv .venv first"',
      "printf '%s\\n' 'source .venv/bin/activate'",
      'grep -r "pip install" docs/',
      'cat <<EOF',
      'python3 -m venv .venv',
      'pip install -r requirements.txt',
      'EOF',
      "cat <<-'END'",
      '\tsource .venv/bin/activate',
      '\tEND',
      'git commit -m "python3 -m venv"  # pip install x',
      'command -v python3 >/dev/null',
      'which python3',
      'mypython3 x',
    ].join('\n');
    expect(scan(text)).toEqual([]);
  });

  it('scans command substitutions, pipelines, lists and control structures', () => {
    const text = [
      'VERSION=$(python3 --version | cut -d" " -f2)',
      'if command python3 -c "import sys"; then :; fi',
      'for f in a b; do .venv/bin/python "$f"; done',
      'case "$1" in',
      '  test|t) python3 -m pytest ;;',
      '  (*) echo no ;;',
      'esac',
      '( cd sub && python3 x.py ) && python3 y.py',
      'f() { python3 z.py; }',
      'echo `python3 -V`',
      'x=$((1 + 2)); arr=(python3 nope)',
    ].join('\n');
    expect(scan(text).map((f) => `${f.text} ${f.environment}`)).toEqual([
      'python3 python3 on PATH',
      'python3 python3 on PATH',
      '.venv/bin/python .venv',
      'python3 python3 on PATH',
      'python3 python3 on PATH',
      'python3 python3 on PATH',
      'python3 python3 on PATH',
      'python3 python3 on PATH',
    ]);
  });

  it('follows $0, dirname, pushd/popd, defaults and uv run', () => {
    const text = [
      'cd "$(dirname "$0")/.."',
      '.venv/bin/python a.py',
      'pushd tools >/dev/null',
      '.venv/bin/python b.py',
      'popd',
      '"${PYTHON:-scripts/.venv/bin/python3}" c.py',
      'uv run --with rich python d.py',
    ].join('\n');
    expect(scan(text, { cwd: 'ci/bin', script: 'ci/bin/run.sh' })).toEqual([
      { text: '.venv/bin/python', kind: 'python-command', environment: 'ci/.venv' },
      { text: '.venv/bin/python', kind: 'python-command', environment: 'ci/tools/.venv' },
      {
        text: '"${PYTHON:-scripts/.venv/bin/python3}"',
        kind: 'python-command',
        environment: 'ci/scripts/.venv',
        meta: { variable: 'PYTHON' },
      },
      {
        text: 'python',
        kind: 'python-command',
        environment: ENV_UNKNOWN,
        skipReason: 'unsupported',
        meta: { runner: 'uv run' },
      },
    ]);
  });

  it('keeps cd inside a subshell and activation inside a subshell to that subshell', () => {
    const text =
      '(cd tools; source .venv/bin/activate)\npython3 a.py\ncd svc\n.venv/bin/python b.py\n';
    expect(scan(text)).toEqual([
      { text: '.venv/bin/activate', kind: 'venv-activate', environment: 'tools/.venv' },
      { text: 'python3', kind: 'python-command', environment: ENV_PATH_PYTHON },
      { text: '.venv/bin/python', kind: 'python-command', environment: 'svc/.venv' },
    ]);
  });

  it('follows line continuations, PYTHONPATH prefixes, env and sudo wrappers', () => {
    const text = [
      'PYTHONPATH=src:build/lib \\',
      '  python3 -m app',
      'env PYTHONPATH=. /usr/bin/env python3 x.py',
      'sudo -E -u svc scripts/.venv/bin/python3 y.py',
    ].join('\n');
    expect(scan(text, { cwd: 'svc' })).toEqual([
      {
        text: 'PYTHONPATH=src:build/lib',
        kind: 'pythonpath',
        environment: ENV_PATH_PYTHON,
        meta: { paths: ['svc/src', 'svc/build/lib'] },
      },
      {
        text: 'python3',
        kind: 'python-command',
        environment: ENV_PATH_PYTHON,
        meta: { module: 'app' },
      },
      {
        text: 'PYTHONPATH=.',
        kind: 'pythonpath',
        environment: ENV_PATH_PYTHON,
        meta: { paths: ['svc'] },
      },
      { text: 'python3', kind: 'python-command', environment: ENV_PATH_PYTHON },
      {
        text: 'scripts/.venv/bin/python3',
        kind: 'python-command',
        environment: 'svc/scripts/.venv',
      },
    ]);
  });

  it('treats PATH with a venv bin first as activation, and deactivate as its end', () => {
    const text = 'export PATH="$PWD/.venv/bin:$PATH"\npython x.py\ndeactivate\npython y.py\n';
    expect(scan(text, { cwd: 'app' })).toEqual([
      {
        text: 'PATH="$PWD/.venv/bin:$PATH"',
        kind: 'venv-activate',
        environment: 'app/.venv',
        meta: { via: 'PATH' },
      },
      { text: 'python', kind: 'python-command', environment: 'app/.venv' },
      { text: 'python', kind: 'python-command', environment: ENV_PATH_PYTHON },
    ]);
  });

  it('reports interpreter paths given as arguments and console scripts of a venv', () => {
    const text =
      'test -x scripts/.venv/bin/python3 || exit 1\n.venv/bin/uvicorn app:app\nbin/tool x\n';
    expect(scan(text)).toEqual([
      { text: 'scripts/.venv/bin/python3', kind: 'interpreter-path', environment: 'scripts/.venv' },
      {
        text: '.venv/bin/uvicorn',
        kind: 'python-command',
        environment: '.venv',
        meta: { executable: 'uvicorn' },
      },
    ]);
  });

  it('keeps spans exact with CRLF line endings', () => {
    const text = 'cd app\r\npython3 -m venv .venv\r\nsource .venv/bin/activate\r\npython x.py\r\n';
    const result = scanShell(text, { cwd: '' });
    expect(result.findings.map((f) => [text.slice(f.start, f.end), f.environment])).toEqual([
      ['python3 -m venv .venv', 'app/.venv'],
      ['.venv/bin/activate', 'app/.venv'],
      ['python', 'app/.venv'],
    ]);
  });

  it('survives malformed input: unterminated quotes, substitutions and heredocs', () => {
    for (const text of [
      'python3 "unterminated',
      'x=$(python3 -c',
      'cat <<EOF\npython3',
      ')))(((',
      '${',
      '`',
    ]) {
      expect(() => scanShell(text, { cwd: '' })).not.toThrow();
    }
    expect(scan('echo "$(python3 -V')).toEqual([
      { text: 'python3', kind: 'python-command', environment: ENV_PATH_PYTHON },
    ]);
  });

  it('never throws and keeps every span inside the text (property)', () => {
    const pieces = fc.constantFrom(
      'python3',
      ' -m venv ',
      '.venv',
      '/bin/',
      'activate',
      'source ',
      'pip install ',
      '"',
      "'",
      '$(',
      ')',
      '`',
      '${',
      '}',
      '$',
      '\\',
      '\n',
      '\r\n',
      ';',
      '&&',
      '|',
      '#',
      '<<EOF\n',
      'EOF',
      '(',
      'case ',
      ' in ',
      'esac',
      '=',
      'PYTHONPATH=',
      'VENV=',
      'cd ',
      ' ',
      '$$',
      '{{',
      '}}',
    );
    const input = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(pieces, { maxLength: 60 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(input, (text) => {
        const { findings } = scanShell(text, { cwd: 'a', script: 'a/s.sh' });
        for (const f of findings) {
          if (!(f.start >= 0 && f.start <= f.end && f.end <= text.length)) return false;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('does not exhaust the stack on deeply nested substitutions', () => {
    const text = `${'$('.repeat(5000)}python3${')'.repeat(5000)}`;
    expect(() => scanShell(text, { cwd: '' })).not.toThrow();
  });
});
