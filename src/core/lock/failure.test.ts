import { describe, expect, it } from 'vitest';
import { condensePip, condenseUv, resolutionFailure } from './failure.js';
import type { WrittenSources } from './inputs.js';

describe('condenseUv', () => {
  it('keeps the error and its causes on one line, without warnings', () => {
    const stderr = [
      'warning: The requested Python version 3.10 is not available; 3.11.7 will be used to build dependencies instead.',
      'error: No solution found when resolving dependencies',
      '  cause: Because all versions of delta depend on alpha==2.0.0 and all versions of beta depend on alpha>=1.0,<2, we can conclude that all versions of beta and all versions of delta are incompatible.',
      '         And because you require beta and delta, we can conclude that your requirements are unsatisfiable.',
      '',
    ].join('\n');
    expect(condenseUv(stderr)).toBe(
      'No solution found when resolving dependencies: Because all versions of delta depend on alpha==2.0.0 and all versions of beta depend on alpha>=1.0,<2, we can conclude that all versions of beta and all versions of delta are incompatible. And because you require beta and delta, we can conclude that your requirements are unsatisfiable.',
    );
  });
});

describe('condensePip', () => {
  it('puts the ERROR line first, then the conflict, and drops the generic advice', () => {
    const output = [
      'Looking in links: /wheels',
      'Processing /wheels/beta-1.0.0-py3-none-any.whl (from -r 01-group-old.in (line 1))',
      'INFO: pip is looking at multiple versions of delta to determine which version is compatible with other requirements. This could take a while.',
      '',
      'The conflict is caused by:',
      '    beta 1.0.0 depends on alpha<2 and >=1.0',
      '    delta 3.0.0 depends on alpha==2.0.0',
      '',
      'To fix this you could try to:',
      "1. loosen the range of package versions you've specified",
      '',
      'ERROR: Cannot install -r 01-group-old.in (line 1) and -r 02-group-new.in (line 1) because these package versions have conflicting dependencies.',
      'ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts',
    ].join('\n');
    expect(condensePip(output)).toBe(
      'Cannot install -r 01-group-old.in (line 1) and -r 02-group-new.in (line 1) because these package versions have conflicting dependencies. The conflict is caused by: beta 1.0.0 depends on alpha<2 and >=1.0; delta 3.0.0 depends on alpha==2.0.0.',
    );
  });
});

describe('resolutionFailure', () => {
  const written: WrittenSources = {
    files: [
      {
        name: '01-group-old.in',
        source: {
          label: 'group:old',
          requirements: [
            {
              raw: 'beta',
              normalizedName: 'beta',
              file: 'python/pyproject.toml',
              line: 7,
              declaredIn: 'old',
            },
          ],
        },
      },
      {
        name: '02-group-all.in',
        source: {
          label: 'group:all',
          requirements: [
            {
              raw: 'delta>=3',
              normalizedName: 'delta',
              file: 'python/pyproject.toml',
              line: 9,
              declaredIn: 'new',
            },
            {
              raw: 'six',
              normalizedName: 'six',
              file: 'python/pyproject.toml',
              line: 10,
              declaredIn: 'all',
            },
          ],
        },
      },
    ],
  };

  it('puts requirements back for pip file references and names where each was declared', () => {
    const error = resolutionFailure(
      'pip',
      'Cannot install -r 01-group-old.in (line 1) and -r 02-group-all.in (line 1) because these package versions have conflicting dependencies (index https://u:p@x.example/simple)',
      written,
      '/tmp/onevenv-lock-x',
    );
    expect(error.message).toBe(
      'pip cannot resolve the requirements: Cannot install beta and delta>=3 because these package versions have conflicting dependencies (index https://****@x.example/simple). Requested by: "beta" in group:old at python/pyproject.toml:7; "delta>=3" in group:all (from group:new) at python/pyproject.toml:9.',
    );
    expect(error.location).toEqual({ file: 'python/pyproject.toml', line: 7 });
    expect(error.exitCode).toBe(2);
  });

  it('calls an unreachable index a failure, not an unresolvable requirement', () => {
    const error = resolutionFailure(
      'pip',
      'Could not find a version that satisfies the requirement six (from versions: none). Network error: [Errno 111] Connection refused.',
      { files: [] },
      '/tmp/onevenv-lock-x',
    );
    expect([error.message, error.fix]).toEqual([
      'pip failed: Could not find a version that satisfies the requirement six (from versions: none). Network error: [Errno 111] Connection refused.',
      'check the network and the index settings (PIP_INDEX_URL, UV_DEFAULT_INDEX, [tool.onevenv] index-url); the lock was not changed',
    ]);
  });
});
