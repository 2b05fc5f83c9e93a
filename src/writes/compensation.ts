import { UpstreamRejectedError } from '../errors.js';
import { StaleLinkVersionError } from '../links/index.js';
import { logger } from '../logger.js';
import { SYSTEM_LABELS } from '../upstreams/index.js';
import { markLinkDeleted, settleLinkState } from './link-settlement.js';
import type { OperationFailure } from './operation.js';
import { restoreInput } from './record-input.js';
import { rejectionOf } from './rejection.js';
import type { RunContext } from './run-context.js';

/** A system refused the current step for good: records what that leads to (rejectionOf) and does it. */
export async function reject(context: RunContext, failure: OperationFailure): Promise<void> {
  const rejection = rejectionOf(context.progress.operation, failure, new Date());
  switch (rejection.leadsTo) {
    case 'FAILED':
      await context.progress.advance(rejection.set);
      await settleLinkState(context);
      return;
    case 'COMPENSATING':
      // Recorded before the undo starts: a crash in between resumes the undo, not the step.
      await context.progress.advance(rejection.set, true);
      return;
    case 'CRMOFFICE_ONLY':
      await context.progress.advance(rejection.set);
      await keepAsCrmofficeOnly(context);
      return;
    default: {
      const unreachable: never = rejection.leadsTo;
      throw new Error(`unknown rejection outcome ${String(unreachable)}`);
    }
  }
}

/**
 * Crmoffice refused for good: undoes what Customerp applied (a create's records are deleted, an
 * update's replaced values written back) and ends COMPENSATED, or FAILED when Customerp refuses the undo.
 */
export async function compensate(context: RunContext): Promise<void> {
  const { progress, records, links } = context;
  const op = progress.operation;
  try {
    if (op.kind === 'create') {
      const ref = op.customerp.ref;
      if (ref) await records.remove('CUSTOMERP', ref.type, ref.id);
      const link = op.linkId ? await links.findById(op.linkId) : null;
      // A counterpart the sync engine made meanwhile goes too: the record as a whole is undone.
      if (link?.crmoffice) await records.remove('CRMOFFICE', link.crmoffice.type, link.crmoffice.id);
      await markLinkDeleted(context);
    } else {
      await restoreCustomerp(context);
      await settleLinkState(context);
    }
  } catch (error) {
    if (!(error instanceof UpstreamRejectedError) || error.isConcurrencyConflict) throw error;
    logger.error({ operation: op._id, reason: error.message }, 'write-through compensation refused; left as it is');
    await progress.advance({
      state: 'FAILED',
      finishedAt: new Date(),
      'customerp.error': `could not be undone: ${error.message}`,
    });
    return;
  }
  const cause = op.failure
    ? `${SYSTEM_LABELS[op.failure.system]} refused the change`
    : 'the other system refused the change';
  await progress.advance({
    state: 'COMPENSATED',
    finishedAt: new Date(),
    'customerp.write': 'COMPENSATED',
    'customerp.error': `undone because ${cause}`,
  });
}

/** Writes back the values an update replaced in Customerp, on the fields that still hold what it wrote (restoreInput). */
async function restoreCustomerp(context: RunContext): Promise<void> {
  const { records } = context;
  const { ref, input, previous } = context.progress.operation.customerp;
  if (!ref || !input || !previous) return;
  let current = await records.getOne('CUSTOMERP', ref.type, ref.id);
  for (let attempt = 1; current; attempt++) {
    const restore = restoreInput(input, previous, current);
    if (Object.keys(restore).length === 0) return;
    try {
      records.known.CUSTOMERP = await records.update(
        'CUSTOMERP',
        ref.type,
        ref.id,
        restore,
        records.tokenOf('CUSTOMERP', current),
      );
      return;
    } catch (error) {
      if (
        !(error instanceof UpstreamRejectedError && error.isConcurrencyConflict) ||
        attempt >= context.concurrencyAttempts
      )
        throw error;
      current = await records.getOne('CUSTOMERP', ref.type, ref.id);
    }
  }
}

/** A delete Crmoffice refused for good: the Crmoffice record lives on as a Crmoffice-only record (its link revived, Customerp's side detached). */
async function keepAsCrmofficeOnly(context: RunContext): Promise<void> {
  const { links, mapping } = context;
  const linkId = context.progress.operation.linkId;
  if (!linkId) return;
  const kind = mapping.unifiedType === 'Contact' ? ('CRM_ONLY' as const) : null;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const link = await links.findById(linkId);
    if (!link) return;
    try {
      const revived = await links.update(link._id, link.version, { deletedAt: null, state: 'ERROR', kind });
      if (revived.customerp) await links.detachSide(revived._id, revived.version, 'CUSTOMERP');
      return;
    } catch (error) {
      if (!(error instanceof StaleLinkVersionError)) throw error;
    }
  }
}
