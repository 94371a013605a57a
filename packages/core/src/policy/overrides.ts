import type { PolicyDocument, TenantOverride } from './policy-document.js';

/**
 * The policy a tenant gets: the base document with the tenant's override applied —
 * threshold replaced, disabled rules removed, extra rules appended in their order —
 * and the `overrides` section dropped. Deterministic, so the merged policy has a
 * digest of its own. Without an override the base document is returned as it is.
 * Expects a validated document and override.
 *
 * @example
 * applyOverride(base, { threshold: 80, disableRules: ['external-model'] })
 */
export function applyOverride(
  base: PolicyDocument,
  override: TenantOverride | undefined,
): PolicyDocument {
  if (override === undefined) return base;
  const { overrides: _all, ...rest } = base;
  const disabled = new Set(override.disableRules ?? []);
  return {
    ...rest,
    threshold: override.threshold ?? base.threshold,
    rules: [...base.rules.filter((r) => !disabled.has(r.id)), ...(override.rules ?? [])],
  };
}

/** The document a tenant's decisions are made with (its own override, if any). */
export function policyForTenant(base: PolicyDocument, tenant: string | undefined): PolicyDocument {
  const override =
    tenant !== undefined && base.overrides !== undefined && Object.hasOwn(base.overrides, tenant)
      ? base.overrides[tenant]
      : undefined;
  return applyOverride(base, override);
}
