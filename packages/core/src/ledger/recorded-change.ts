import { GovgateError } from '../errors.js';
import type { LedgerPort } from '../ports.js';
import type { AppendRequest, LedgerEntry } from './entry.js';

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Makes a change of stored state that the ledger must record, in the one order that
 * never leaves a change unrecorded: the entry first, then the change. If the ledger
 * cannot take the entry, nothing changes and LEDGER_UNAVAILABLE is thrown (an invalid
 * entry's LEDGER_ENTRY_INVALID as it is). If the change then fails, an
 * `audit.correction` entry says it did not take effect (best effort) and the change's
 * error is thrown. A crash between the two leaves an entry for a change that did not
 * happen, which the retry records again: the ledger holds every change, and at worst
 * an attempt too.
 *
 * @example
 * await recordedChange(ledger, 'acme', { type: 'profile.activated', actor, data }, () =>
 *   profiles.activate('acme', id, version),
 * );
 */
export async function recordedChange<T>(
  ledger: Pick<LedgerPort, 'append'>,
  tenant: string,
  entry: AppendRequest,
  change: () => Promise<T>,
): Promise<T> {
  let written: LedgerEntry | undefined;
  try {
    [written] = await ledger.append(tenant, [entry]);
  } catch (cause) {
    if (GovgateError.is(cause, 'LEDGER_ENTRY_INVALID')) throw cause;
    const about = entry.subject === undefined ? '' : ` for '${entry.subject}'`;
    throw new GovgateError(
      'LEDGER_UNAVAILABLE',
      `the ledger could not record the ${entry.type} entry${about}; nothing was changed`,
      { cause },
    );
  }
  if (written === undefined)
    throw new GovgateError(
      'LEDGER_UNAVAILABLE',
      `the ledger returned no ${entry.type} entry; nothing was changed`,
    );
  try {
    return await change();
  } catch (error) {
    const correction: AppendRequest = {
      type: 'audit.correction',
      actor: entry.actor,
      data: {
        corrects: written.seq,
        reason: `the ${entry.type} change did not take effect: ${messageOf(error)}`,
      },
    };
    await ledger
      .append(tenant, [
        entry.subject === undefined ? correction : { ...correction, subject: entry.subject },
      ])
      .catch(() => undefined);
    throw error;
  }
}
