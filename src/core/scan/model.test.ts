import { describe, expect, it } from 'vitest';
import type { Reference } from '../../adapters/types.js';
import {
  aggregateEnvironments,
  classifyReferences,
  compareReferences,
  failsCheck,
  normalizeEnvironment,
} from './model.js';

function reference(fields: Partial<Reference> & Pick<Reference, 'file' | 'line'>): Reference {
  return {
    column: 1,
    span: { start: 0, end: 1 },
    text: 'x',
    kind: 'python-command',
    adapter: 'shell',
    consumer: `script ${fields.file}`,
    environment: 'scripts/.venv',
    ...fields,
  };
}

describe('scan model', () => {
  it('normalises venv ids as paths and leaves the special ids alone', () => {
    expect(
      [
        './scripts/.venv/',
        'scripts//.venv',
        'a/../python/.venv',
        '..\\outside\\.venv',
        'find_package(Python3)',
        'python3 on PATH',
        './',
        '/opt/venvs/tools/',
      ].map(normalizeEnvironment),
    ).toEqual([
      'scripts/.venv',
      'scripts/.venv',
      'python/.venv',
      '../outside/.venv',
      'find_package(Python3)',
      'python3 on PATH',
      '.',
      '/opt/venvs/tools',
    ]);
  });

  it('marks references on the unified venv, whatever spelling the adapter used', () => {
    const classified = classifyReferences(
      [
        reference({ file: 'a.sh', line: 1, environment: './python/.venv' }),
        reference({ file: 'b.sh', line: 2, environment: 'scripts/.venv' }),
      ],
      'python/.venv',
    );
    expect(classified.map((r) => [r.environment, r.unified])).toEqual([
      ['python/.venv', true],
      ['scripts/.venv', false],
    ]);
  });

  it('aggregates consumers per environment, most consumers first, then by id', () => {
    const classified = classifyReferences(
      [
        reference({ file: 'CMakeLists.txt', line: 9, consumer: 'CMake target b' }),
        reference({ file: 'CMakeLists.txt', line: 3, consumer: 'CMake target a' }),
        reference({ file: 'CMakeLists.txt', line: 4, consumer: 'CMake target a' }),
        reference({ file: 'run.sh', line: 1, environment: 'python3 on PATH' }),
        reference({ file: 'go.sh', line: 1, environment: 'find_package(Python3)' }),
      ],
      'python/.venv',
    );
    expect(aggregateEnvironments(classified, (id) => `/repo/${id}`)).toEqual([
      {
        id: 'scripts/.venv',
        path: '/repo/scripts/.venv',
        consumers: ['CMake target a', 'CMake target b'],
      },
      { id: 'find_package(Python3)', path: null, consumers: ['script go.sh'] },
      { id: 'python3 on PATH', path: null, consumers: ['script run.sh'] },
    ]);
  });

  it('lets documentation and external interpreters pass --check, nothing else off the venv', () => {
    const classified = classifyReferences(
      [
        reference({ file: 'a', line: 1, environment: 'python/.venv' }),
        reference({ file: 'b', line: 1 }),
        reference({ file: 'c', line: 1, skipReason: 'documentation' }),
        reference({ file: 'd', line: 1, skipReason: 'external-interpreter' }),
        reference({ file: 'e', line: 1, skipReason: 'contains-variable' }),
        reference({ file: 'f', line: 1, skipReason: 'unsupported' }),
      ],
      'python/.venv',
    );
    expect(classified.filter(failsCheck).map((r) => r.file)).toEqual(['b', 'e', 'f']);
  });

  it('lists ignore rules and setup-python steps but does not fail --check on them', () => {
    const classified = classifyReferences(
      [
        reference({ file: '.gitignore', line: 1, kind: 'gitignore-entry' }),
        reference({ file: '.github/workflows/ci.yml', line: 9, kind: 'setup-python' }),
        reference({ file: 'run.sh', line: 1 }),
      ],
      'python/.venv',
    );
    expect(classified.map((r) => r.unified)).toEqual([false, false, false]);
    expect(classified.filter(failsCheck).map((r) => r.file)).toEqual(['run.sh']);
  });

  it('orders references by file (code units, not locale), line, column', () => {
    const sorted = [
      reference({ file: 'b', line: 2 }),
      reference({ file: 'B', line: 9 }),
      reference({ file: 'b', line: 1, column: 5 }),
      reference({ file: 'b', line: 1, column: 2 }),
      reference({ file: 'a/z', line: 1 }),
    ].sort(compareReferences);
    expect(sorted.map((r) => `${r.file}:${r.line}:${r.column}`)).toEqual([
      'B:9:1',
      'a/z:1:1',
      'b:1:2',
      'b:1:5',
      'b:2:1',
    ]);
  });
});
