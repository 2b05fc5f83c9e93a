/** A saved operation the explorer opens as a tab. */
export interface ExplorerExample {
  /** The operation's name, also the tab's title. */
  name: string;
  query: string;
  /** JSON text for the variables editor. */
  variables: string;
}

const LINKED_CONTACTS = `# A page of linked contacts: the unified values, and each system's own record beside them.
# Page on with $after = pageInfo.endCursor.
query LinkedContacts($first: Int = 5, $after: String) {
  contacts(filter: { kind: EMPLOYEE }, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      kind
      fullName
      email
      title
      department
      sync { state lastSyncedAt }
      customerp {
        ... on CustomerpEmployee { id employeeNumber firstName lastName email jobTitle department version updatedAt }
        ... on CustomerpContact { id firstName lastName email jobTitle version updatedAt }
      }
      crmoffice { id firstName lastName email title department contactType etag modifiedAt }
    }
  }
}
`;

const UPDATE_CONTACT = `# Changes a contact in both systems and says, per system, what happened:
# APPLIED, PENDING (recorded, applied later), FAILED, COMPENSATED or SKIPPED.
# $id is a Contact id, e.g. one from the LinkedContacts tab.
mutation UpdateContactTitle($id: ID!, $title: String) {
  updateContact(id: $id, input: { title: $title }) {
    contact {
      id
      fullName
      title
      customerp {
        ... on CustomerpEmployee { jobTitle version }
        ... on CustomerpContact { jobTitle version }
      }
      crmoffice { title etag }
    }
    writes { system state error }
    operationId
  }
}
`;

const SYNC_STATUS = `# Where sync stands: each change feed's cursor, last run and lag, the writes still waiting in the
# outbox, open conflicts and links per entity and state (the /status page shows the same).
query SyncStatus {
  syncStatus {
    feeds { feed system entity cursor lastRunAt lagMs applied blockedReason }
    pendingOperations
    openConflicts
    links { entity state count }
  }
}
`;

const CONTACT_CHANGES = `# Live changes of contacts, pushed over WebSocket (graphql-ws) whenever sync applies an edit made in
# either system or a mutation settles. Run it, then change a contact (the UpdateContactTitle tab, or
# directly in Customerp or Crmoffice): each change arrives with the fields it changed and the contact
# as it is now. $kinds (e.g. ["EMPLOYEE"]) and ids narrow it down.
subscription ContactChanges($kinds: [ContactKind!]) {
  contactChanged(kinds: $kinds) {
    id
    change
    fields
    at
    contact { id kind fullName email title }
  }
}
`;

/**
 * The explorer's saved operations, in tab order. `contactId` (a real Contact id, when the gateway
 * has one) goes into the update's variables so that it runs as it is.
 */
export function explorerExamples(contactId: string | null): ExplorerExample[] {
  return [
    { name: 'LinkedContacts', query: LINKED_CONTACTS, variables: JSON.stringify({ first: 5 }, null, 2) },
    {
      name: 'UpdateContactTitle',
      query: UPDATE_CONTACT,
      variables: JSON.stringify({ id: contactId ?? 'paste a Contact id here', title: 'Integration Lead' }, null, 2),
    },
    { name: 'SyncStatus', query: SYNC_STATUS, variables: '{}' },
    { name: 'ContactChanges', query: CONTACT_CHANGES, variables: '{}' },
  ];
}

/**
 * Operation names with a metrics series of their own (Metrics' `operationNames`): the explorer's saved
 * examples and the operator pages' own operations (src/ops/assets/status.js). Others count as `other`.
 */
export const KNOWN_OPERATION_NAMES: readonly string[] = [
  ...explorerExamples(null).map((example) => example.name),
  'StatusPage',
  'ResolveConflict',
  'ApproveHeldDeletes',
  'DiscardHeldDeletes',
];
