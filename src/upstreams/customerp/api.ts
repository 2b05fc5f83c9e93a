import {
  ChangesDocument,
  ContactsByIdsDocument,
  CreateContactDocument,
  CreateEmployeeDocument,
  CreateProductDocument,
  CreateProjectDocument,
  DeleteContactDocument,
  DeleteEmployeeDocument,
  DeleteProductDocument,
  DeleteProjectDocument,
  EmployeesByIdsDocument,
  ProductsByIdsDocument,
  ProjectsByIdsDocument,
  UpdateContactDocument,
  UpdateEmployeeDocument,
  UpdateProductDocument,
  UpdateProjectDocument,
  type ContactInput,
  type ContactUpdateInput,
  type EmployeeInput,
  type EmployeeUpdateInput,
  type Entity,
  type ProductInput,
  type ProductUpdateInput,
  type ProjectInput,
  type ProjectUpdateInput,
} from '../../generated/customerp-client.js';
import type { CustomerpRecord, SystemInput, SystemRecord } from '../../mappings/index.js';
import { readInChunks, type FeedPage, type SystemApi } from '../system-api.js';
import type { UpstreamClient } from '../upstream-client.js';

export type CustomerpType = 'Employee' | 'Product' | 'Project' | 'Contact';

export const CUSTOMERP_TYPES: readonly CustomerpType[] = ['Employee', 'Product', 'Project', 'Contact'];

/** The feed name of each record type. */
export const CUSTOMERP_FEEDS: Readonly<Record<CustomerpType, Entity>> = {
  Employee: 'EMPLOYEE',
  Product: 'PRODUCT',
  Project: 'PROJECT',
  Contact: 'CONTACT',
};

/**
 * Customerp as the sync engine and the write path see it. Inputs come from the mapping engine keyed
 * by Customerp's field names, so they are cast to the generated input types here, at the boundary.
 */
export class CustomerpApi implements SystemApi<CustomerpType> {
  readonly system = 'CUSTOMERP' as const;

  constructor(readonly client: UpstreamClient) {}

  getMany(type: CustomerpType, ids: readonly string[]): Promise<(CustomerpRecord | null)[]> {
    return readInChunks<CustomerpRecord>(ids, async (chunk) => {
      switch (type) {
        case 'Employee':
          return (await this.client.query(EmployeesByIdsDocument, { ids: chunk })).employees.nodes;
        case 'Product':
          return (await this.client.query(ProductsByIdsDocument, { ids: chunk })).products.nodes;
        case 'Project':
          return (await this.client.query(ProjectsByIdsDocument, { ids: chunk })).projects.nodes;
        case 'Contact':
          return (await this.client.query(ContactsByIdsDocument, { ids: chunk })).contacts.nodes;
      }
    });
  }

  async create(type: CustomerpType, input: SystemInput): Promise<CustomerpRecord> {
    switch (type) {
      case 'Employee':
        return (await this.client.mutate(CreateEmployeeDocument, { input: input as EmployeeInput })).createEmployee;
      case 'Product':
        return (await this.client.mutate(CreateProductDocument, { input: input as ProductInput })).createProduct;
      case 'Project':
        return (await this.client.mutate(CreateProjectDocument, { input: input as ProjectInput })).createProject;
      case 'Contact':
        return (await this.client.mutate(CreateContactDocument, { input: input as ContactInput })).createContact;
    }
  }

  /** Retry-safe: with an expected version, a repeated update fails with VERSION_CONFLICT instead of writing twice. */
  async update(type: CustomerpType, id: string, input: SystemInput, token: string | null): Promise<CustomerpRecord> {
    const expectedVersion = token === null ? null : Number(token);
    const retry = { retry: expectedVersion !== null };
    switch (type) {
      case 'Employee':
        return (
          await this.client.mutate(
            UpdateEmployeeDocument,
            { id, input: input as EmployeeUpdateInput, expectedVersion },
            retry,
          )
        ).updateEmployee;
      case 'Product':
        return (
          await this.client.mutate(
            UpdateProductDocument,
            { id, input: input as ProductUpdateInput, expectedVersion },
            retry,
          )
        ).updateProduct;
      case 'Project':
        return (
          await this.client.mutate(
            UpdateProjectDocument,
            { id, input: input as ProjectUpdateInput, expectedVersion },
            retry,
          )
        ).updateProject;
      case 'Contact':
        return (
          await this.client.mutate(
            UpdateContactDocument,
            { id, input: input as ContactUpdateInput, expectedVersion },
            retry,
          )
        ).updateContact;
    }
  }

  /** Deletes are idempotent (an unknown id answers false), so they are retried. */
  async remove(type: CustomerpType, id: string, token: string | null): Promise<boolean> {
    const expectedVersion = token === null ? null : Number(token);
    const retry = { retry: true };
    switch (type) {
      case 'Employee':
        return (await this.client.mutate(DeleteEmployeeDocument, { id, expectedVersion }, retry)).deleteEmployee;
      case 'Product':
        return (await this.client.mutate(DeleteProductDocument, { id, expectedVersion }, retry)).deleteProduct;
      case 'Project':
        return (await this.client.mutate(DeleteProjectDocument, { id, expectedVersion }, retry)).deleteProject;
      case 'Contact':
        return (await this.client.mutate(DeleteContactDocument, { id, expectedVersion }, retry)).deleteContact;
    }
  }

  async changes(type: CustomerpType, since: string | null, limit: number): Promise<FeedPage> {
    return (await this.client.query(ChangesDocument, { entity: CUSTOMERP_FEEDS[type], since, first: limit })).changes;
  }

  tokenOf(record: SystemRecord): string {
    return String((record as CustomerpRecord).version);
  }

  modifiedAtOf(record: SystemRecord): string {
    return (record as CustomerpRecord).updatedAt;
  }
}
