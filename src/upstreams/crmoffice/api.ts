import {
  ActivitiesByIdsDocument,
  ActivitiesBySubjectsDocument,
  ChangesDocument,
  CompaniesByCodesDocument,
  CompaniesByIdsDocument,
  ContactsByEmailsDocument,
  ContactsByIdsDocument,
  CreateActivityDocument,
  CreateCompanyDocument,
  CreateContactDocument,
  DeleteActivityDocument,
  DeleteCompanyDocument,
  DeleteContactDocument,
  UpdateActivityDocument,
  UpdateCompanyDocument,
  UpdateContactDocument,
  type ActivityInput,
  type ActivityUpdateInput,
  type Collection,
  type CompanyInput,
  type CompanyUpdateInput,
  type ContactInput,
  type ContactUpdateInput,
} from '../../generated/crmoffice-client.js';
import type { CrmofficeRecord, SystemInput, SystemRecord } from '../../mappings/index.js';
import { BULK_READ_LIMIT, readInChunks, type FeedPage, type SystemApi } from '../system-api.js';
import type { UpstreamClient } from '../upstream-client.js';

export type CrmofficeType = 'Contact' | 'Company' | 'Activity';

export const CRMOFFICE_TYPES: readonly CrmofficeType[] = ['Company', 'Contact', 'Activity'];

export const CRMOFFICE_FEEDS: Readonly<Record<CrmofficeType, Collection>> = {
  Contact: 'CONTACTS',
  Company: 'COMPANIES',
  Activity: 'ACTIVITIES',
};

/** Crmoffice as the sync engine and the write path see it. */
export class CrmofficeApi implements SystemApi<CrmofficeType> {
  readonly system = 'CRMOFFICE' as const;

  constructor(readonly client: UpstreamClient) {}

  getMany(type: CrmofficeType, ids: readonly string[]): Promise<(CrmofficeRecord | null)[]> {
    return readInChunks<CrmofficeRecord>(ids, async (chunk) => {
      switch (type) {
        case 'Contact':
          return (await this.client.query(ContactsByIdsDocument, { ids: chunk })).contacts.nodes;
        case 'Company':
          return (await this.client.query(CompaniesByIdsDocument, { ids: chunk })).companies.nodes;
        case 'Activity':
          return (await this.client.query(ActivitiesByIdsDocument, { ids: chunk })).activities.nodes;
      }
    });
  }

  /**
   * Candidates for identity matching, in as few requests as the list filters allow: contacts by
   * e-mail (case-insensitive), companies by code, activities by subject (callers compare the date).
   */
  async findByIdentity(type: CrmofficeType, values: readonly string[]): Promise<CrmofficeRecord[]> {
    const found: CrmofficeRecord[] = [];
    for (let i = 0; i < values.length; i += BULK_READ_LIMIT) {
      const chunk = values.slice(i, i + BULK_READ_LIMIT);
      let after: string | null = null;
      for (;;) {
        const page: {
          nodes: readonly (CrmofficeRecord | null)[];
          pageInfo: { hasNextPage: boolean; endCursor?: string | null };
        } = await this.identityPage(type, chunk, after);
        for (const node of page.nodes) if (node) found.push(node);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor ?? null;
      }
    }
    return found;
  }

  private async identityPage(type: CrmofficeType, values: string[], after: string | null) {
    const first = 1000;
    switch (type) {
      case 'Contact':
        return (await this.client.query(ContactsByEmailsDocument, { emails: values, first, after })).contacts;
      case 'Company':
        return (await this.client.query(CompaniesByCodesDocument, { codes: values, first, after })).companies;
      case 'Activity':
        return (await this.client.query(ActivitiesBySubjectsDocument, { subjects: values, first, after })).activities;
    }
  }

  async create(type: CrmofficeType, input: SystemInput): Promise<CrmofficeRecord> {
    switch (type) {
      case 'Contact':
        return (await this.client.mutate(CreateContactDocument, { data: input as ContactInput })).createContact;
      case 'Company':
        return (await this.client.mutate(CreateCompanyDocument, { data: input as CompanyInput })).createCompany;
      case 'Activity':
        return (await this.client.mutate(CreateActivityDocument, { data: input as ActivityInput })).createActivity;
    }
  }

  /** Retry-safe with an etag: a repeated update fails with PRECONDITION_FAILED instead of writing twice. */
  async update(type: CrmofficeType, id: string, input: SystemInput, token: string | null): Promise<CrmofficeRecord> {
    const retry = { retry: token !== null };
    switch (type) {
      case 'Contact':
        return (
          await this.client.mutate(
            UpdateContactDocument,
            { id, data: input as ContactUpdateInput, ifMatch: token },
            retry,
          )
        ).updateContact;
      case 'Company':
        return (
          await this.client.mutate(
            UpdateCompanyDocument,
            { id, data: input as CompanyUpdateInput, ifMatch: token },
            retry,
          )
        ).updateCompany;
      case 'Activity':
        return (
          await this.client.mutate(
            UpdateActivityDocument,
            { id, data: input as ActivityUpdateInput, ifMatch: token },
            retry,
          )
        ).updateActivity;
    }
  }

  async remove(type: CrmofficeType, id: string, token: string | null): Promise<boolean> {
    const retry = { retry: true };
    switch (type) {
      case 'Contact':
        return (await this.client.mutate(DeleteContactDocument, { id, ifMatch: token }, retry)).deleteContact;
      case 'Company':
        return (await this.client.mutate(DeleteCompanyDocument, { id, ifMatch: token }, retry)).deleteCompany;
      case 'Activity':
        return (await this.client.mutate(DeleteActivityDocument, { id, ifMatch: token }, retry)).deleteActivity;
    }
  }

  async changes(type: CrmofficeType, since: string | null, limit: number): Promise<FeedPage> {
    return (await this.client.query(ChangesDocument, { collection: CRMOFFICE_FEEDS[type], since, limit })).changes;
  }

  tokenOf(record: SystemRecord): string {
    return (record as CrmofficeRecord).etag;
  }

  modifiedAtOf(record: SystemRecord): string {
    return (record as CrmofficeRecord).modifiedAt;
  }
}
