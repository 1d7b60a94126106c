// biome-ignore-all lint/suspicious/noTemplateCurlyInString: presets spell their macros ${name}.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  expectRewriteSettled,
  type RewriteRun,
  runRewriter,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

function rewrite(
  text: string,
  file = 'CMakeUserPresets.json',
  facts: Partial<AdoptFacts> = {},
): RewriteRun {
  return runRewriter(adapter, rewriter, text, file, {
    facts: { paths: ['build/Debug/debug'], ...facts },
  });
}

/** Every reference is on the unified venv or gone, skipped ones apart; a second run changes nothing. */
function expectSettled(run: RewriteRun, file = 'CMakeUserPresets.json'): void {
  expectRewriteSettled(run, (text) => rewrite(text, file));
}

const VENV_PYTHON = '${sourceDir}/python/.venv/bin/python3';

describe('cmake-presets rewriter', () => {
  it("points the seed ticket's user preset at the venv", () => {
    const before = readFileSync(
      new URL('../../../test/fixtures/seed-before/CMakeUserPresets.json', import.meta.url),
      'utf8',
    );
    const run = rewrite(before);
    expect(run.text).toEqual(before.replace('${sourceDir}/scripts/.venv/bin/python3', VENV_PYTHON));
    expect(run.result).toEqual({
      edits: [
        {
          start: 250,
          end: 288,
          replacement: VENV_PYTHON,
          reason: `Python3_EXECUTABLE → ${VENV_PYTHON}`,
        },
      ],
      skipped: [],
      notes: [],
    });
    expect(run.after.map((r) => [r.text, r.environment])).toEqual([[VENV_PYTHON, 'python/.venv']]);
    expectSettled(run);
  });

  it('moves interpreters, venv directories and PATH entries, each in its own form', () => {
    const text = `{
  "version": 6,
  "configurePresets": [
    {
      "name": "dev",
      "cacheVariables": {
        "Python_EXECUTABLE": "/usr/bin/python3",
        "Python3_ROOT_DIR": "\${sourceDir}/scripts/.venv",
        "TRACE_VENV": { "type": "PATH", "value": "scripts/.venv" }
      },
      "environment": {
        "VIRTUAL_ENV": "\${sourceDir}/scripts/.venv",
        "PATH": "\${sourceDir}/scripts/.venv/bin:$penv{PATH}"
      }
    }
  ]
}
`;
    const run = rewrite(text, 'CMakePresets.json');
    expect(run.text).toEqual(`{
  "version": 6,
  "configurePresets": [
    {
      "name": "dev",
      "cacheVariables": {
        "Python_EXECUTABLE": "${VENV_PYTHON}",
        "Python3_ROOT_DIR": "\${sourceDir}/python/.venv",
        "TRACE_VENV": { "type": "PATH", "value": "\${sourceDir}/python/.venv" }
      },
      "environment": {
        "VIRTUAL_ENV": "\${sourceDir}/python/.venv",
        "PATH": "\${sourceDir}/python/.venv/bin:$penv{PATH}"
      }
    }
  ]
}
`);
    expect(run.after.map((r) => [r.kind, r.environment])).toEqual([
      ['interpreter-path', 'python/.venv'],
      ['interpreter-path', 'python/.venv'],
      ['venv-variable', 'python/.venv'],
      ['venv-variable', 'python/.venv'],
      ['venv-activate', 'python/.venv'],
    ]);
    expectSettled(run, 'CMakePresets.json');
  });

  it('spells the venv from a presets file in a subdirectory', () => {
    const text =
      '{"configurePresets": [{"name": "a", "cacheVariables": {"Python3_EXECUTABLE": "tools/.venv/bin/python"}}]}\n';
    const run = rewrite(text, 'cpp/CMakePresets.json');
    expect(run.text).toEqual(
      '{"configurePresets": [{"name": "a", "cacheVariables": {"Python3_EXECUTABLE": "${sourceDir}/../python/.venv/bin/python3"}}]}\n',
    );
    expect(run.after.map((r) => r.environment)).toEqual(['python/.venv']);
    expectSettled(run, 'cpp/CMakePresets.json');
  });

  it('removes PYTHONPATH entries the venv provides: the key once emptied, and an emptied environment', () => {
    const text = `{
  "configurePresets": [
    {
      "name": "only",
      "environment": {
        "PYTHONPATH": "\${sourceDir}/build/Debug/debug:$penv{PYTHONPATH}"
      }
    },
    {
      "name": "first",
      "environment": {
        "PYTHONPATH": "\${sourceDir}/build/Debug/debug",
        "CC": "gcc"
      },
      "binaryDir": "\${sourceDir}/build/first"
    },
    {
      "name": "mixed",
      "environment": { "PYTHONPATH": "\${sourceDir}/tools\${pathListSep}\${sourceDir}/build/Debug/debug" }
    }
  ]
}
`;
    const run = rewrite(text, 'CMakePresets.json');
    expect(run.text).toEqual(`{
  "configurePresets": [
    {
      "name": "only"
    },
    {
      "name": "first",
      "environment": {
        "CC": "gcc"
      },
      "binaryDir": "\${sourceDir}/build/first"
    },
    {
      "name": "mixed",
      "environment": { "PYTHONPATH": "\${sourceDir}/tools" }
    }
  ]
}
`);
    expect(run.result.skipped).toEqual([]);
    expectSettled(run, 'CMakePresets.json');
  });

  it('keeps PYTHONPATH entries the venv does not provide', () => {
    const text =
      '{"configurePresets": [{"name": "a", "environment": {"PYTHONPATH": "${sourceDir}/tools"}}]}';
    expect(rewrite(text, 'CMakePresets.json').result).toEqual({
      edits: [],
      skipped: [],
      notes: [],
    });
  });

  it('keeps CRLF line endings', () => {
    const text = [
      '{',
      '  "configurePresets": [',
      '    {',
      '      "name": "a",',
      '      "cacheVariables": { "PYTHON_EXECUTABLE": "${sourceDir}/.venv/bin/python3.11" },',
      '      "environment": {',
      '        "PYTHONPATH": "${sourceDir}/build/Debug/debug",',
      '        "CC": "gcc"',
      '      }',
      '    }',
      '  ]',
      '}',
      '',
    ].join('\r\n');
    const run = rewrite(text);
    expect(run.text).toEqual(
      [
        '{',
        '  "configurePresets": [',
        '    {',
        '      "name": "a",',
        `      "cacheVariables": { "PYTHON_EXECUTABLE": "${VENV_PYTHON}" },`,
        '      "environment": {',
        '        "CC": "gcc"',
        '      }',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\r\n'),
    );
    expectSettled(run);
  });

  it('skips values it cannot resolve or must not touch, with the reason', () => {
    const text = `{
  "configurePresets": [
    {
      "name": "a",
      "cacheVariables": {
        "Python3_EXECUTABLE": "$env{HOME}/venvs/tools/bin/python3",
        "Python_EXECUTABLE": "/opt/tools-venv/bin/python3"
      }
    }
  ]
}
`;
    const run = rewrite(text);
    expect(run.text).toEqual(text);
    expect(run.result.skipped.map((s) => [s.reference.text, s.reason])).toEqual([
      [
        '$env{HOME}/venvs/tools/bin/python3',
        'built from a variable onevenv cannot resolve: point it at python/.venv by hand',
      ],
      [
        '/opt/tools-venv/bin/python3',
        'names /opt/tools-venv, outside the repository: left as it is',
      ],
    ]);
    expectSettled(run);
  });

  it('changes nothing in presets already on the venv', () => {
    const text = `{"configurePresets": [{"name": "a", "cacheVariables": {"Python3_EXECUTABLE": "${VENV_PYTHON}"}}]}\n`;
    expect(rewrite(text).result).toEqual({ edits: [], skipped: [], notes: [] });
  });
});
