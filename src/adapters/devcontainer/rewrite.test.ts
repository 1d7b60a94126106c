// biome-ignore-all lint/suspicious/noTemplateCurlyInString: devcontainer.json spells its variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectRewriteSettled,
  type RewriteRun,
  runRewriter,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

const FILE = '.devcontainer/devcontainer.json';
const FACTS: Partial<AdoptFacts> = {
  declaredPackages: ['fastapi', 'pytest'],
  editables: ['replay'],
  paths: ['build/debug/python'],
};

function rewrite(text: string, file = FILE): RewriteRun {
  return runRewriter(adapter, rewriter, text, file, { facts: FACTS });
}

/** Every reference is on the unified venv or gone, skipped ones apart; a second run changes nothing. */
function expectSettled(run: RewriteRun, file = FILE): void {
  expectRewriteSettled(run, (text) => rewrite(text, file));
}

const INTERPRETER = '${containerWorkspaceFolder}/python/.venv/bin/python3';

describe('devcontainer rewriter', () => {
  it('runs python/setup.sh instead of venv set-up, keeping the other commands, and sets the interpreter', () => {
    const text = `{
  // Dev container for the MSD workspace
  "name": "msd",
  "image": "mcr.microsoft.com/devcontainers/python:3.11",
  "postCreateCommand": "npm ci && python3 -m venv .venv && pip install -r requirements.txt",
  "customizations": {
    "vscode": {
      "extensions": ["ms-python.python"],
      "settings": {
        "python.defaultInterpreterPath": "/usr/local/bin/python",
      },
    },
  },
}
`;
    const run = rewrite(text);
    expect(run.text).toEqual(`{
  // Dev container for the MSD workspace
  "name": "msd",
  "image": "mcr.microsoft.com/devcontainers/python:3.11",
  "postCreateCommand": "npm ci && python/setup.sh",
  "customizations": {
    "vscode": {
      "extensions": ["ms-python.python"],
      "settings": {
        "python.defaultInterpreterPath": "${INTERPRETER}",
      },
    },
  },
}
`);
    expect(run.result.edits.map((edit) => edit.reason)).toEqual([
      'interpreter → python/.venv/bin/python3',
      'venv creation → python/setup.sh',
      'pip install removed: python/requirements.txt holds it',
    ]);
    expectSettled(run);
  });

  it('handles the array and object forms, and adds what is missing beside them', () => {
    const text = `{
  "image": "python:3.11",
  "onCreateCommand": { "deps": "pip install -e replay", "npm": "npm ci" },
  "postCreateCommand": ["python3", "-m", "venv", "/workspaces/msd/.venv"],
  "postAttachCommand": "source .venv/bin/activate"
}
`;
    const run = rewrite(text);
    expect(run.text).toEqual(`{
  "image": "python:3.11",
  "onCreateCommand": { "deps": "python/setup.sh", "npm": "npm ci" },
  "postCreateCommand": ["python/setup.sh"],
  "postAttachCommand": "source python/.venv/bin/activate",
  "customizations": {
    "vscode": {
      "settings": {
        "python.defaultInterpreterPath": "${INTERPRETER}"
      }
    }
  }
}
`);
    expectSettled(run);
  });

  it('moves container env and PATH, dropping PYTHONPATH the venv provides', () => {
    const text = `{
  "image": "python:3.11",
  "containerEnv": {
    "PYTHONPATH": "\${containerWorkspaceFolder}/build/debug/python",
    "VIRTUAL_ENV": "/workspaces/msd/scripts/.venv"
  },
  "remoteEnv": { "PATH": "/workspaces/msd/scripts/.venv/bin:\${containerEnv:PATH}", "PYTHONPATH": "src" },
  "postCreateCommand": "scripts/.venv/bin/python -m pip install -r requirements.txt"
}
`;
    const run = rewrite(text);
    expect(run.text).toEqual(`{
  "image": "python:3.11",
  "containerEnv": {
    "VIRTUAL_ENV": "\${containerWorkspaceFolder}/python/.venv"
  },
  "remoteEnv": { "PATH": "/workspaces/msd/python/.venv/bin:\${containerEnv:PATH}", "PYTHONPATH": "src" },
  "postCreateCommand": "python/setup.sh",
  "customizations": {
    "vscode": {
      "settings": {
        "python.defaultInterpreterPath": "${INTERPRETER}"
      }
    }
  }
}
`);
    // src is no path of the venv: it stays, and reaches the interpreter the settings now name.
    expect(
      run.after
        .filter((ref) => ref.kind === 'pythonpath')
        .map((ref) => [ref.text, ref.environment]),
    ).toEqual([['src', 'python/.venv']]);
    expectSettled(run);
  });

  it('adds postCreateCommand when nothing runs setup.sh, or appends to the one there', () => {
    const text =
      '{ "image": "x", "postStartCommand": "scripts/.venv/bin/python tools/serve.py" }\n';
    const run = rewrite(text);
    expect(run.text).toEqual(
      `{ "image": "x", "postStartCommand": "python/.venv/bin/python3 tools/serve.py", "customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": "${INTERPRETER}" } } }, "postCreateCommand": "python/setup.sh" }\n`,
    );
    expectSettled(run);
    const appended = rewrite(
      '{\n  "postCreateCommand": "npm ci",\n  "settings": { "python.defaultInterpreterPath": "scripts/.venv/bin/python" }\n}\n',
    );
    expect(appended.text).toEqual(
      `{\n  "postCreateCommand": "npm ci && python/setup.sh",\n  "settings": { "python.defaultInterpreterPath": "${INTERPRETER}" }\n}\n`,
    );
    expectSettled(appended);
  });

  it('rewrites what it can read of a malformed file, adding nothing to it', () => {
    expect(rewrite('').result).toEqual({ edits: [], skipped: [], notes: [] });
    const run = rewrite(
      '{ "postCreateCommand": "python3 -m venv .venv && pip install -r requirements.txt", "customizations": {',
    );
    expect(run.text).toEqual('{ "postCreateCommand": "python/setup.sh", "customizations": {');
    expectSettled(run);
  });

  it('keeps CRLF line endings', () => {
    const text =
      '{\r\n  "image": "python:3.11",\r\n  "postCreateCommand": "python3 -m venv .venv && .venv/bin/pip install -e replay"\r\n}\r\n';
    const run = rewrite(text);
    expect(run.text).toEqual(
      `{\r\n  "image": "python:3.11",\r\n  "postCreateCommand": "python/setup.sh",\r\n  "customizations": {\r\n    "vscode": {\r\n      "settings": {\r\n        "python.defaultInterpreterPath": "${INTERPRETER}"\r\n      }\r\n    }\r\n  }\r\n}\r\n`,
    );
    expectSettled(run);
  });

  it('leaves the host command, unresolvable values and undeclared installs, with reasons', () => {
    const text = `{
  "initializeCommand": "python3 -m venv .venv",
  "postCreateCommand": "pip install black && \${localEnv:HOME}/venv/bin/python x.py",
  "customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": "\${containerWorkspaceFolder}/python/.venv/bin/python3" } } }
}
`;
    const run = rewrite(text);
    expect(run.result.edits).toEqual([]);
    expect(run.result.skipped.map((entry) => [entry.reference.text, entry.reason])).toEqual([
      [
        'python3 -m venv .venv',
        "initializeCommand runs on the host, where python/.venv is the container's: left as it is",
      ],
      [
        'pip install black',
        'installs black, which python/pyproject.toml does not declare: add it (onevenv add), then remove this install',
      ],
      [
        '${localEnv:HOME}/venv/bin/python',
        'built from a variable onevenv cannot resolve: point it at python/.venv by hand',
      ],
    ]);
  });

  it('leaves an already unified file and look-alikes alone', () => {
    const text = `{
  "image": "python:3.11",
  "features": { "ghcr.io/devcontainers/features/python:1": { "version": "3.11" } },
  "postCreateCommand": "python/setup.sh && echo scripts/.venv",
  "postAttachCommand": "source python/.venv/bin/activate",
  "customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": "\${containerWorkspaceFolder}/python/.venv/bin/python3" } } }
}
`;
    expect(rewrite(text).result).toEqual({ edits: [], skipped: [], notes: [] });
  });

  it('moves generated configs onto the venv in one pass, and a second pass changes nothing', () => {
    const lifecycle = fc.constantFrom(
      '"postCreateCommand": "python3 -m venv .venv && pip install -r requirements.txt"',
      '"postCreateCommand": ["python3", "-m", "venv", ".venv"]',
      '"postCreateCommand": { "py": "pip install -e replay", "js": "npm ci" }',
      '"postCreateCommand": "npm ci"',
      '"onCreateCommand": "cd replay && python3 -m venv .venv && . .venv/bin/activate && pip install -e ."',
      '"postStartCommand": "scripts/.venv/bin/python serve.py"',
      '',
    );
    const env = fc.constantFrom(
      '',
      '"containerEnv": { "PYTHONPATH": "/workspaces/msd/build/debug/python" }',
      '"remoteEnv": { "PATH": "${containerWorkspaceFolder}/.venv/bin:${containerEnv:PATH}" }',
    );
    const settings = fc.constantFrom(
      '',
      '"customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": "/usr/local/bin/python" } } }',
      '"customizations": { "vscode": { "extensions": [] } }',
    );
    fc.assert(
      fc.property(lifecycle, env, settings, fc.boolean(), (a, b, c, crlf) => {
        const members = ['"image": "python:3.11"', a, b, c].filter((m) => m !== '');
        let text = `{\n  ${members.join(',\n  ')}\n}\n`;
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const run = rewrite(text);
        expect(run.result.skipped).toEqual([]);
        expect(run.after.filter((ref) => !ref.unified)).toEqual([]);
        expect(rewrite(run.text).result.edits).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
