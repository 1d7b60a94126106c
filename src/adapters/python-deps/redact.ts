/**
 * Credentials in URLs (index URLs, VCS and archive requirements) never leave the file
 * they were written in: the user part of `scheme://user:secret@host` keeps the user and
 * hides the secret, and a lone `scheme://token@host` hides the token, as pip's own
 * redaction does. Environment variables (`${TOKEN}`) are not secrets and are kept, and so
 * is the `git@` user of ssh URLs.
 */

const URL_USERINFO = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/@?#]+)@/g;
const VARIABLE = /^(\$\{[A-Za-z0-9_]+\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;

export const REDACTED = '****';

export function redactCredentials(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(URL_USERINFO, (whole, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon === -1) {
      if (VARIABLE.test(userinfo) || /ssh/i.test(scheme)) return whole;
      return `${scheme}${REDACTED}@`;
    }
    const password = userinfo.slice(colon + 1);
    if (VARIABLE.test(password) || password === REDACTED) return whole;
    return `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}
