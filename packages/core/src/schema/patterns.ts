/** Identifier patterns shared by every schema, with the plain message shown on a mismatch. */
export const POLICY_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
export const RULE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';
export const TENANT_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';

export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [POLICY_ID_PATTERN]:
    "must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit",
  [RULE_ID_PATTERN]:
    "must be 1-128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
  [TENANT_ID_PATTERN]:
    "must be 1-63 characters of lowercase letters, digits, '_' or '-', starting with a letter or digit",
};

/** True when `tenant` is a valid tenant id (also safe as a file or directory name). */
const TENANT_ID = new RegExp(TENANT_ID_PATTERN);

export function isTenantId(tenant: unknown): tenant is string {
  return typeof tenant === 'string' && TENANT_ID.test(tenant);
}

/** Object keys that would reach a prototype rather than data: refused wherever input is read. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Length of a well-formed string in UTF-8 bytes, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let n = 0; n < text.length; n++) {
    const c = text.charCodeAt(n);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      bytes += 4;
      n++;
    } else bytes += 3;
  }
  return bytes;
}
