import { BadUserInputError } from '../../errors.js';
import type { Entity } from '../../generated/customerp-server.js';
import type { DemoWorld } from '../core/index.js';
import { EntityTable } from './entity-table.js';
import { contactFields, employeeFields, productFields, projectFields } from './fields.js';
import {
  ID_PREFIX,
  seededCustomerpId,
  type ContactRecord,
  type EmployeeRecord,
  type ProductRecord,
  type ProjectRecord,
} from './records.js';

/**
 * When seeded records were "created": a fixed instant, so two servers seeded alike hold identical
 * data, `updatedAt` included.
 */
export const SEEDED_AT = '2025-01-01T00:00:00.000Z';

/** The table of any one entity. */
export type AnyEntityTable =
  EntityTable<EmployeeRecord> | EntityTable<ProductRecord> | EntityTable<ProjectRecord> | EntityTable<ContactRecord>;

/**
 * All of Customerp's data: one table per entity, the rules that span tables (a project's manager
 * and product must exist; deleting one clears the reference), and the seed it resets to.
 */
export class CustomerpDatabase {
  employees!: EntityTable<EmployeeRecord>;
  products!: EntityTable<ProductRecord>;
  projects!: EntityTable<ProjectRecord>;
  contacts!: EntityTable<ContactRecord>;
  private seeding = false;
  /** Seeding writes the same instant ~2 times per record: spare the formatting. */
  private readonly seededAt = Object.assign(new Date(SEEDED_AT), { toISOString: () => SEEDED_AT });
  private readonly clock = (): Date => (this.seeding ? this.seededAt : new Date());

  /** `world` null: no records at all. */
  constructor(private readonly world: DemoWorld | null) {
    this.reset();
  }

  /** Back to the seeded data: every record, number counter and change feed as after start. */
  reset(): void {
    this.employees = new EntityTable(
      { name: 'Employee', idPrefix: ID_PREFIX.EMPLOYEE, fields: employeeFields, unique: ['employeeNumber', 'email'] },
      this.clock,
    );
    this.products = new EntityTable(
      { name: 'Product', idPrefix: ID_PREFIX.PRODUCT, fields: productFields, unique: ['sku'] },
      this.clock,
    );
    this.projects = new EntityTable(
      {
        name: 'Project',
        idPrefix: ID_PREFIX.PROJECT,
        fields: projectFields,
        unique: ['projectNumber'],
        check: (next, given) => this.checkProject(next, given),
      },
      this.clock,
    );
    this.contacts = new EntityTable(
      { name: 'Contact', idPrefix: ID_PREFIX.CONTACT, fields: contactFields, unique: [] },
      this.clock,
    );
    if (this.world) this.seed(this.world);
  }

  /** The table of an entity, e.g. for its change feed. */
  table(entity: Entity): AnyEntityTable {
    switch (entity) {
      case 'EMPLOYEE':
        return this.employees;
      case 'PRODUCT':
        return this.products;
      case 'PROJECT':
        return this.projects;
      case 'CONTACT':
        return this.contacts;
      default:
        throw new Error(`unknown entity ${String(entity satisfies never)}`);
    }
  }

  /** Deletes an employee; the projects it managed lose their `managerId`. */
  deleteEmployee(id: string, expectedVersion: number | null | undefined): boolean {
    const deleted = this.employees.delete(id, expectedVersion);
    if (deleted) this.projects.clearReference('managerId', id);
    return deleted;
  }

  /** Deletes a product; its projects lose their `productId`. */
  deleteProduct(id: string, expectedVersion: number | null | undefined): boolean {
    const deleted = this.products.delete(id, expectedVersion);
    if (deleted) this.projects.clearReference('productId', id);
    return deleted;
  }

  private checkProject(next: Readonly<Record<string, unknown>>, given: Readonly<Record<string, unknown>>): void {
    const { startDate, endDate, managerId, productId } = next;
    if (typeof endDate === 'string' && typeof startDate === 'string' && endDate < startDate) {
      const field = 'endDate' in given ? 'endDate' : 'startDate';
      throw new BadUserInputError(`endDate ${endDate} is before startDate ${startDate}`, field);
    }
    if (typeof managerId === 'string' && !this.employees.get(managerId)) {
      throw new BadUserInputError(`managerId ${managerId} is not an existing employee`, 'managerId');
    }
    if (typeof productId === 'string' && !this.products.get(productId)) {
      throw new BadUserInputError(`productId ${productId} is not an existing product`, 'productId');
    }
  }

  /** Records get ids in world order: employee i is `emp-${i + 1}`, and so on. */
  private seed(world: DemoWorld): void {
    this.seeding = true;
    try {
      for (const person of world.employees) {
        const { firstName, lastName, email, phone, mobile, jobTitle, department } = person;
        this.employees.seed({ firstName, lastName, email, phone, mobile, jobTitle, department, active: true });
      }
      for (const product of world.products) {
        const { sku, name, description, category, website } = product;
        this.products.seed({ sku, name, description, category, website, active: true });
      }
      for (const project of world.projects) {
        const { name, description, status, startDate, endDate } = project;
        this.projects.seed({
          name,
          description,
          status,
          startDate,
          endDate,
          managerId: seededIdIn(this.employees, 'EMPLOYEE', project.managerIndex),
          productId: seededIdIn(this.products, 'PRODUCT', project.productIndex),
        });
      }
      for (const person of world.customerContacts) {
        const { firstName, lastName, email, phone, jobTitle, customerName, street, city, postalCode, country } = person;
        this.contacts.seed({
          firstName,
          lastName,
          email,
          phone,
          jobTitle,
          customerName,
          street,
          city,
          postalCode,
          country,
        });
      }
    } finally {
      this.seeding = false;
    }
  }
}

/** The id of the `index`-th seeded record of a table, or null when the world has no such record. */
function seededIdIn(table: AnyEntityTable, entity: Entity, index: number): string | null {
  const id = seededCustomerpId(entity, index);
  return table.get(id) ? id : null;
}
