/**
 * Credentials in URLs (index URLs, VCS and archive requirements) never leave the file
 * they were written in: the user part of `scheme://user:secret@host` keeps the user and
 * hides the secret, and a lone `scheme://token@host` hides the token, as pip's own
 * redaction does. Environment variables (`${TOKEN}`) are not secrets and are kept, and so
 * is the `git@` user of ssh URLs.
 */

const VARIABLE = /^(\$\{[A-Za-z0-9_]+\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
const USERINFO_END = /[\s/@?#]/;

const REDACTED = '****';

/** One left-to-right pass (no backtracking regex: a long line costs linear time). */
export function redactCredentials(text: string): string {
  if (!text.includes('@') || !text.includes('://')) return text;
  let out = '';
  let copied = 0;
  let at = text.indexOf('://');
  while (at !== -1) {
    let schemeStart = at;
    while (schemeStart > 0 && SCHEME_CHAR.test(text[schemeStart - 1]!)) schemeStart--;
    const scheme = text.slice(schemeStart, at);
    const infoStart = at + 3;
    let infoEnd = infoStart;
    while (infoEnd < text.length && !USERINFO_END.test(text[infoEnd]!)) infoEnd++;
    if (text[infoEnd] === '@' && infoEnd > infoStart) {
      const redacted = redactUserinfo(scheme, text.slice(infoStart, infoEnd));
      out += text.slice(copied, infoStart) + redacted;
      copied = infoEnd;
    }
    at = text.indexOf('://', infoEnd);
  }
  return out + text.slice(copied);
}

function redactUserinfo(scheme: string, userinfo: string): string {
  const colon = userinfo.indexOf(':');
  if (colon === -1) {
    if (VARIABLE.test(userinfo) || /ssh/i.test(scheme)) return userinfo;
    return REDACTED;
  }
  const password = userinfo.slice(colon + 1);
  if (VARIABLE.test(password) || password === REDACTED) return userinfo;
  return `${userinfo.slice(0, colon)}:${REDACTED}`;
}
