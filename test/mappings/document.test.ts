import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDataflowDocument } from '../../src/mappings/index.js';
import { writeDataflowDocument } from '../../src/mappings/write-document.js';

const GENERATED_AT = new Date('2025-06-01T12:00:00.000Z');

/** The property tables of docs/design.md, "The dataflows", row by row: the spec is the oracle. */
const designTables: Record<string, string[][]> = {
  'Customerp Employee to Crmoffice Contacts': [
    ['Customerp Employee Property', 'Crmoffice Contacts Property', 'Crmoffice Data Type'],
    ['firstName', 'firstName', 'String'],
    ['lastName', 'lastName', 'String'],
    ['email', 'email', 'String (email)'],
    ['phone', 'phone', 'String'],
    ['mobile', 'mobilePhone', 'String'],
    ['jobTitle', 'title', 'String'],
    ['department', 'department', 'String'],
    ['active', 'active', 'Boolean'],
    ['—', 'contactType = EMPLOYEE', 'ContactType'],
  ],
  'Customerp Product to Crmoffice Companies': [
    ['Customerp Product Property', 'Crmoffice Companies Property', 'Crmoffice Data Type'],
    ['name', 'name', 'String'],
    ['description', 'description', 'String'],
    ['category', 'industry', 'String'],
    ['website', 'website', 'String (URL)'],
    ['sku', 'code', 'String'],
    ['active', 'status (true ↔ ACTIVE, false ↔ INACTIVE)', 'CompanyStatus'],
  ],
  'Customerp Project to Crmoffice Activities': [
    ['Customerp Project Property', 'Crmoffice Activities Property', 'Crmoffice Data Type'],
    ['name', 'subject', 'String'],
    ['description', 'description', 'String'],
    [
      'status',
      'status: PLANNED→OPEN, ACTIVE→IN_PROGRESS, ON_HOLD→IN_PROGRESS, COMPLETED→DONE, CANCELLED→CANCELLED',
      'ActivityStatus',
    ],
    ['startDate', 'startAt (00:00 UTC of the date ↔ its date)', 'DateTime'],
    ['endDate', 'dueAt (same)', 'DateTime'],
    ['managerId (an Employee)', 'ownerContactId (its linked Contact)', 'ID'],
    ['productId (a Product)', 'companyId (its linked Company)', 'ID'],
    ['—', 'type = PROJECT', 'ActivityType'],
  ],
  'Customerp Contact to Crmoffice Contacts': [
    ['Customerp Contact Property', 'Crmoffice Contacts Property', 'Crmoffice Data Type'],
    ['firstName', 'firstName', 'String'],
    ['lastName', 'lastName', 'String'],
    ['email', 'email', 'String (email)'],
    ['phone', 'phone', 'String'],
    ['jobTitle', 'title', 'String'],
    ['street, city, postalCode, country', 'address.street, .city, .postalCode, .country', 'Address'],
    ['—', 'contactType = CUSTOMER', 'ContactType'],
  ],
};

/** Section title → body, for every `Title\n-----` section. */
function sectionsOf(document: string): Map<string, string> {
  const parts = document.split(/^(.+)\n-+$/m);
  const sections = new Map<string, string>();
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i] ?? '', parts[i + 1] ?? '');
  return sections;
}

function listTableRows(body: string): string[][] {
  return [...body.matchAll(/^ {3}\* - (.*)\n {5}- (.*)\n {5}- (.*)$/gm)].map((m) => [
    m[1] ?? '',
    m[2] ?? '',
    m[3] ?? '',
  ]);
}

describe('renderDataflowDocument', () => {
  const document = renderDataflowDocument(GENERATED_AT);

  it('opens with the title between = rules, the generation time and an introduction', () => {
    const rule = '='.repeat('Customerp to Crmoffice Dataflow'.length);
    expect(
      document.startsWith(
        `${rule}\nCustomerp to Crmoffice Dataflow\n${rule}\n\nGenerated: 2025-06-01T12:00:00.000Z\n\nIntroduction\n------------\n\n`,
      ),
    ).toBe(true);
    const introduction = sectionsOf(document).get('Introduction') ?? '';
    expect(introduction).toContain('``npm run docs:dataflow``');
    expect(introduction).toContain('must not be edited by hand');
  });

  it('has the four dataflow sections in order, each with the sentences of the format', () => {
    const titles = [...sectionsOf(document).keys()];
    expect(titles).toEqual(['Introduction', ...Object.keys(designTables)]);
    const body = sectionsOf(document).get('Customerp Project to Crmoffice Activities') ?? '';
    expect(
      body.startsWith(
        '\nEvery Customerp Project will be synchronized with a Crmoffice Activities.\n\n' +
          'Once a link between a Customerp Project and a Crmoffice Activities is established, it will keep in sync between the two systems, regardless of where it is edited.\n\n' +
          'The following properties are synchronized between a Customerp Project and a Crmoffice Activities:\n\n' +
          '.. list-table::\n   :header-rows: 1\n\n   * - Customerp Project Property\n',
      ),
    ).toBe(true);
  });

  it('lists exactly the property rows of the design, constants included', () => {
    const rows = Object.fromEntries(
      [...sectionsOf(document)]
        .filter(([title]) => title !== 'Introduction')
        .map(([title, body]) => [title, listTableRows(body)]),
    );
    expect(rows).toEqual(designTables);
  });
});

describe('docs/dataflow.rst', () => {
  it('is the current rendering of the tables (regenerate it with npm run docs:dataflow)', async () => {
    const committed = await readFile(new URL('../../docs/dataflow.rst', import.meta.url), 'utf8');
    const stamp = /^Generated: .*$/m;
    expect(committed).toMatch(/^Generated: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/m);
    expect(committed.replace(stamp, 'Generated: -')).toBe(
      renderDataflowDocument(GENERATED_AT).replace(stamp, 'Generated: -'),
    );
  });
});

describe('writeDataflowDocument', () => {
  it('writes the rendering to the given path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-'));
    try {
      const path = join(dir, 'dataflow.rst');
      await writeDataflowDocument(path, GENERATED_AT);
      expect(await readFile(path, 'utf8')).toBe(renderDataflowDocument(GENERATED_AT));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
