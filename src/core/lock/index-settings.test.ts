import { describe, expect, it } from 'vitest';
import { indexArgs, redactUrls, stripCredentials } from './index-settings.js';

const none = { indexUrl: undefined, findLinks: [] };

describe('indexArgs', () => {
  it('leaves each tool its own variables (they win over the pyproject)', () => {
    const config = { indexUrl: 'https://mirror.example/simple', findLinks: ['/wheels'] };
    expect(indexArgs('pip', config, { PIP_INDEX_URL: 'https://ci.example/simple' })).toEqual([
      '--find-links',
      '/wheels',
    ]);
    expect(indexArgs('uv', config, { UV_DEFAULT_INDEX: 'https://ci.example/simple' })).toEqual([
      '--find-links',
      '/wheels',
    ]);
    expect(indexArgs('uv', config, {})).toEqual([
      '--index-url',
      'https://mirror.example/simple',
      '--find-links',
      '/wheels',
    ]);
  });

  it("passes the other tool's variables on when a tool has none of its own", () => {
    const env = {
      PIP_INDEX_URL: 'https://pip.example/simple',
      PIP_FIND_LINKS: '/a /b',
      PIP_NO_INDEX: '1',
    };
    expect(indexArgs('uv', none, env)).toEqual([
      '--index-url',
      'https://pip.example/simple',
      '--no-index',
      '--find-links',
      '/a',
      '--find-links',
      '/b',
    ]);
    expect(indexArgs('pip', none, env)).toEqual([]);
    expect(indexArgs('pip', none, { UV_FIND_LINKS: '/w', UV_NO_INDEX: 'true' })).toEqual([
      '--no-index',
      '--find-links',
      '/w',
    ]);
  });

  it('reads UV_NO_INDEX for uv, which has no such variable itself', () => {
    expect(indexArgs('uv', none, { UV_NO_INDEX: '1', PIP_NO_INDEX: '0' })).toEqual(['--no-index']);
    expect(indexArgs('uv', none, { UV_NO_INDEX: '0', PIP_NO_INDEX: '1' })).toEqual([]);
  });

  it('never asks for an extra index', () => {
    const env = { PIP_EXTRA_INDEX_URL: 'https://other.example/simple' };
    expect(indexArgs('uv', none, env).join(' ')).not.toContain('extra');
  });
});

describe('credentials', () => {
  it('redacts user, password and token in every URL of a message', () => {
    expect(
      redactUrls(
        'fetching https://user:s3cret@pypi.example/simple/six/ and https://TOKEN@git.example/x, https://plain.example/@scope',
      ),
    ).toBe(
      'fetching https://****@pypi.example/simple/six/ and https://****@git.example/x, https://plain.example/@scope',
    );
  });

  it('strips credentials for the lock file', () => {
    expect(stripCredentials('https://user:pw@pypi.example/simple')).toBe(
      'https://pypi.example/simple',
    );
  });
});
