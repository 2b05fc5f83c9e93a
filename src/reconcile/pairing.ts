import type { CrmofficeRef, CustomerpRef, Link, LinkStore } from '../links/index.js';
import type { Dataflow } from '../mappings/index.js';

/** The two records to put into one link, each with the link that holds it now (null: none). */
export interface PairingRequest {
  flow: Dataflow;
  customerp: { ref: CustomerpRef; link: Link | null };
  crmoffice: { ref: CrmofficeRef; link: Link | null };
}

/**
 * Puts a Customerp record and a Crmoffice record into one link, reusing whichever half links exist:
 * with two half links the Customerp record's survives (its id is the one clients have seen for
 * the dataflow's record) and the Crmoffice-only one is retired; with one, that one gets the other
 * side; with none, a new PENDING link is made. Every step is version-checked: a concurrent writer
 * makes it fail with StaleLinkVersionError or DuplicateLinkError and nothing is left half done
 * (at worst a retired half link whose record is now linked here). The caller then settles kind,
 * snapshot and state. Sync (identity matches) and linkRecords both pair through this rule.
 */
export async function pairRecords(links: LinkStore, request: PairingRequest): Promise<Link> {
  const { flow, customerp, crmoffice } = request;
  const ours = customerp.link;
  const theirs = crmoffice.link;
  if (ours && theirs && ours._id === theirs._id) return ours;
  if (ours && theirs) {
    await links.remove(theirs._id, theirs.version);
    return links.attachSide(ours._id, ours.version, 'CRMOFFICE', crmoffice.ref);
  }
  if (theirs) return links.attachSide(theirs._id, theirs.version, 'CUSTOMERP', customerp.ref);
  if (ours) return links.attachSide(ours._id, ours.version, 'CRMOFFICE', crmoffice.ref);
  return links.create({
    entity: flow.unifiedType,
    kind: flow.contactKind ?? null,
    customerp: customerp.ref,
    crmoffice: crmoffice.ref,
    state: 'PENDING',
  });
}
