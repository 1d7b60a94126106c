import type { OnevenvConfig } from '../config.js';

/**
 * Where packages come from. Each tool reads its own environment (PIP_INDEX_URL,
 * PIP_FIND_LINKS, PIP_NO_INDEX; UV_DEFAULT_INDEX, UV_INDEX_URL, UV_FIND_LINKS; onevenv
 * reads UV_NO_INDEX for uv, which has no variable of its own) and that always wins: it describes the machine (a mirror, a CI cache).
 * When only the other tool's variables are set, they are passed on as flags, so one
 * environment serves both backends. `[tool.onevenv] index-url`/`find-links` come last.
 * Never `--extra-index-url`: a second index lets a public package shadow a private one.
 */

export type Backend = 'uv' | 'pip';

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function split(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

export function indexArgs(
  backend: Backend,
  config: Pick<OnevenvConfig, 'indexUrl' | 'findLinks'>,
  env: NodeJS.ProcessEnv,
): string[] {
  const own =
    backend === 'pip'
      ? {
          index: env.PIP_INDEX_URL,
          links: env.PIP_FIND_LINKS,
          noIndex: env.PIP_NO_INDEX,
        }
      : {
          index: env.UV_DEFAULT_INDEX ?? env.UV_INDEX_URL,
          links: env.UV_FIND_LINKS,
          noIndex: env.UV_NO_INDEX,
        };
  const other =
    backend === 'pip'
      ? {
          index: env.UV_DEFAULT_INDEX ?? env.UV_INDEX_URL,
          links: env.UV_FIND_LINKS,
          noIndex: env.UV_NO_INDEX,
        }
      : {
          index: env.PIP_INDEX_URL,
          links: env.PIP_FIND_LINKS,
          noIndex: env.PIP_NO_INDEX,
        };
  const args: string[] = [];
  if (!own.index) {
    const index = other.index || config.indexUrl;
    if (index) args.push('--index-url', index);
  }
  // uv has no variable for --no-index; UV_NO_INDEX is ours, read like PIP_NO_INDEX.
  const ownNoIndexIsNative = backend === 'pip';
  if (
    (own.noIndex === undefined && truthy(other.noIndex)) ||
    (!ownNoIndexIsNative && truthy(own.noIndex))
  ) {
    args.push('--no-index');
  }
  const links = [...(own.links === undefined ? split(other.links) : []), ...config.findLinks];
  for (const link of links) args.push('--find-links', link);
  return args;
}

const CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

/** Hide user names, passwords and tokens in every URL of a message. */
export function redactUrls(text: string): string {
  return text.replace(CREDENTIALS, '$1****@');
}

/** The URL without its credentials, for writing into the lock. */
export function stripCredentials(url: string): string {
  return url.replace(CREDENTIALS, '$1');
}
