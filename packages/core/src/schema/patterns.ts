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
