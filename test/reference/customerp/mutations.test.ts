import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { request } from 'graphql-request';
import {
  ChangesDocument,
  CreateEmployeeDocument,
  CreateProductDocument,
  CreateProjectDocument,
  DeleteEmployeeDocument,
  DeleteProductDocument,
  EmployeesByIdsDocument,
  ProjectsByIdsDocument,
  UpdateEmployeeDocument,
  UpdateProjectDocument,
  type EmployeeInput,
  type Entity,
} from '../../../src/generated/customerp-client.js';
import type { RunningReferenceServer } from '../../../src/reference/core/index.js';
import { startCustomerp } from '../../../src/reference/customerp/index.js';
import { callSystem } from '../contract-adapter.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('Customerp mutations', () => {
  let server: RunningReferenceServer;
  let url: string;

  beforeAll(async () => {
    server = await startCustomerp({ seed: 'empty' });
    url = server.url;
  });

  beforeEach(async () => {
    await fetch(`${server.origin}/admin/reset`, { method: 'POST' });
  });

  afterAll(async () => {
    await server.close();
  });

  const person = (n: number, extra: Partial<EmployeeInput> = {}): EmployeeInput => ({
    firstName: `Per${n}`,
    lastName: 'Son',
    email: `per${n}@example.com`,
    ...extra,
  });
  const createEmployee = async (input: EmployeeInput) =>
    (await request(url, CreateEmployeeDocument, { input })).createEmployee;
  const createProduct = async (sku: string) =>
    (await request(url, CreateProductDocument, { input: { sku, name: `Product ${sku}` } })).createProduct;
  const feed = async (entity: Entity, since: string | null = null) =>
    (await request(url, ChangesDocument, { entity, since, first: 1000 })).changes;

  describe('createEmployee', () => {
    it('answers the whole record: defaults applied, omitted fields null, version 1', async () => {
      const created = await createEmployee(person(1));
      expect(created).toEqual({
        id: 'emp-1',
        employeeNumber: 'E-00001',
        firstName: 'Per1',
        lastName: 'Son',
        email: 'per1@example.com',
        phone: null,
        mobile: null,
        jobTitle: null,
        department: null,
        active: true,
        version: 1,
        updatedAt: expect.stringMatching(ISO_MS),
      });
    });

    it('assigns employee numbers in order, skipping numbers set by hand and never reusing one', async () => {
      const numbers: string[] = [];
      numbers.push((await createEmployee(person(1))).employeeNumber);
      numbers.push((await createEmployee(person(2, { employeeNumber: 'E-00002' }))).employeeNumber);
      numbers.push((await createEmployee(person(3))).employeeNumber);
      // A rejected create does not use up a number.
      await expect(callSystem(() => createEmployee(person(4, { email: 'per1@EXAMPLE.com' })))).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'email',
      });
      const fourth = await createEmployee(person(4));
      numbers.push(fourth.employeeNumber);
      await request(url, DeleteEmployeeDocument, { id: fourth.id });
      numbers.push((await createEmployee(person(5))).employeeNumber);

      expect(numbers).toEqual(['E-00001', 'E-00002', 'E-00003', 'E-00004', 'E-00005']);
    });

    it('assigns project numbers P-00001, P-00002, … and keeps one given by hand', async () => {
      const input = { name: 'Roll-out', startDate: '2025-05-01' };
      const made = [
        (await request(url, CreateProjectDocument, { input })).createProject,
        (await request(url, CreateProjectDocument, { input: { ...input, projectNumber: 'X-7' } })).createProject,
        (await request(url, CreateProjectDocument, { input })).createProject,
      ];
      expect(made.map((p) => [p.projectNumber, p.status])).toEqual([
        ['P-00001', 'PLANNED'],
        ['X-7', 'PLANNED'],
        ['P-00002', 'PLANNED'],
      ]);
    });
  });

  describe('updates', () => {
    it('leaves omitted fields alone, clears fields sent as null, and bumps the version', async () => {
      const created = await createEmployee(
        person(1, { phone: '+49 1', mobile: '+49 2', jobTitle: 'Engineer', department: 'R&D' }),
      );

      const updated = (
        await request(url, UpdateEmployeeDocument, {
          id: created.id,
          input: { jobTitle: 'Architect', mobile: null },
          expectedVersion: 1,
        })
      ).updateEmployee;

      expect(updated).toEqual({
        ...created,
        jobTitle: 'Architect',
        mobile: null,
        version: 2,
        updatedAt: expect.stringMatching(ISO_MS),
      });
    });

    it('bumps the version on an update that changes nothing, and records it in the feed', async () => {
      const created = await createEmployee(person(1));
      const { cursor } = await feed('EMPLOYEE');

      const updated = (await request(url, UpdateEmployeeDocument, { id: created.id, input: {} })).updateEmployee;

      expect(updated).toEqual({ ...created, version: 2, updatedAt: expect.stringMatching(ISO_MS) });
      expect((await feed('EMPLOYEE', cursor)).items).toEqual([
        { id: created.id, op: 'UPSERT', version: 2, at: updated.updatedAt },
      ]);
    });

    it('answers NOT_FOUND for an unknown id', async () => {
      await expect(
        callSystem(() => request(url, UpdateEmployeeDocument, { id: 'emp-404', input: { jobTitle: 'x' } })),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
        field: undefined,
        message: 'Employee emp-404 does not exist',
      });
    });

    it('names the current version in a VERSION_CONFLICT', async () => {
      const created = await createEmployee(person(1));
      await request(url, UpdateEmployeeDocument, { id: created.id, input: { jobTitle: 'a' }, expectedVersion: 1 });
      await expect(
        callSystem(() =>
          request(url, UpdateEmployeeDocument, { id: created.id, input: { jobTitle: 'b' }, expectedVersion: 1 }),
        ),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', message: 'Employee emp-1 is at version 2, not 1' });
    });

    it('checks endDate against the stored startDate when only one of them changes', async () => {
      const project = (
        await request(url, CreateProjectDocument, {
          input: { name: 'P', startDate: '2025-05-01', endDate: '2025-06-01' },
        })
      ).createProject;
      const moved = (await request(url, UpdateProjectDocument, { id: project.id, input: { startDate: '2025-06-01' } }))
        .updateProject;
      expect([moved.startDate, moved.endDate]).toEqual(['2025-06-01', '2025-06-01']);
      await expect(
        callSystem(() => request(url, UpdateProjectDocument, { id: project.id, input: { startDate: '2025-06-02' } })),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'startDate' });
    });
  });

  describe('deletes', () => {
    it('answers true once and false for an id that is gone or never was', async () => {
      const created = await createEmployee(person(1));
      const answers = [];
      for (const id of [created.id, created.id, 'emp-999'])
        answers.push((await request(url, DeleteEmployeeDocument, { id })).deleteEmployee);
      expect(answers).toEqual([true, false, false]);
    });

    it('records the delete in the feed with the version after the last update plus one', async () => {
      const created = await createEmployee(person(1));
      await request(url, UpdateEmployeeDocument, { id: created.id, input: { jobTitle: 'x' } });
      await request(url, DeleteEmployeeDocument, { id: created.id, expectedVersion: 2 });

      const items = (await feed('EMPLOYEE')).items;

      expect(items.map(({ id, op, version }) => ({ id, op, version }))).toEqual([
        { id: 'emp-1', op: 'UPSERT', version: 1 },
        { id: 'emp-1', op: 'UPSERT', version: 2 },
        { id: 'emp-1', op: 'DELETE', version: 3 },
      ]);
      expect(items.every((item) => ISO_MS.test(item.at))).toBe(true);
    });

    it('clears managerId and productId on the projects of a deleted employee or product, as new project versions', async () => {
      const manager = await createEmployee(person(1));
      const other = await createEmployee(person(2));
      const product = await createProduct('SKU-1');
      const input = { name: 'Managed', startDate: '2025-01-01', managerId: manager.id, productId: product.id };
      const managed = (await request(url, CreateProjectDocument, { input })).createProject;
      const elsewhere = (await request(url, CreateProjectDocument, { input: { ...input, managerId: other.id } }))
        .createProject;
      const { cursor } = await feed('PROJECT');

      expect((await request(url, DeleteEmployeeDocument, { id: manager.id })).deleteEmployee).toBe(true);
      expect((await request(url, DeleteProductDocument, { id: product.id })).deleteProduct).toBe(true);

      const [after, untouched] = (await request(url, ProjectsByIdsDocument, { ids: [managed.id, elsewhere.id] }))
        .projects.nodes;
      expect(after).toEqual({
        ...managed,
        managerId: null,
        productId: null,
        version: 3,
        updatedAt: expect.stringMatching(ISO_MS),
      });
      expect(untouched).toEqual({
        ...elsewhere,
        productId: null,
        version: 2,
        updatedAt: expect.stringMatching(ISO_MS),
      });
      expect((await feed('PROJECT', cursor)).items.map(({ id, op, version }) => ({ id, op, version }))).toEqual([
        { id: managed.id, op: 'UPSERT', version: 2 },
        { id: managed.id, op: 'UPSERT', version: 3 },
        { id: elsewhere.id, op: 'UPSERT', version: 2 },
      ]);
      expect(
        (await request(url, EmployeesByIdsDocument, { ids: [manager.id, other.id] })).employees.nodes.map(
          (e) => e?.id ?? null,
        ),
      ).toEqual([null, other.id]);
    });
  });
});
