import type { SystemName } from '../errors.js';
import { isConstant, type Dataflow, type MappedProperty, type Property } from './dataflow.js';
import { dataflows } from './registry.js';

/**
 * The dataflow document (docs/dataflow.rst), rendered from the mapping tables in the structure of
 * the dataflow format (docs/design.md, "The dataflows"), so that the document and the code never drift.
 */

const TITLE = 'Customerp to Crmoffice Dataflow';

const INTRODUCTION =
  'This document lists, for each dataflow between the Customerp ERP and the Crmoffice CRM, which ' +
  'properties the gateway keeps in sync and how their values are translated on the way. It is generated ' +
  'from the mapping tables in ``src/mappings/`` by ``npm run docs:dataflow`` and must not be edited by ' +
  'hand: change the mapping table, then regenerate the document.';

/** One row of a section's property table: Customerp property, Crmoffice property, Crmoffice data type. */
type Row = readonly [string, string, string];

function article(noun: string): string {
  return /^[AEIOU]/i.test(noun) ? 'an' : 'a';
}

function annotation(property: MappedProperty, system: SystemName): string {
  const codec = property.codec;
  if (codec.kind === 'value') return codec.sides[system].annotation ?? '';
  const target = codec.targets[system];
  return system === 'CUSTOMERP' ? ` (${article(target)} ${target})` : ` (its linked ${target})`;
}

/** Consecutive properties of one docGroup become one row; other properties one row each. */
function groupRows(properties: readonly Property[]): (Property | MappedProperty[])[] {
  const groups: (Property | MappedProperty[])[] = [];
  for (const property of properties) {
    const last = groups[groups.length - 1];
    if (!isConstant(property) && property.docGroup !== undefined) {
      if (Array.isArray(last) && last[0]?.docGroup === property.docGroup) last.push(property);
      else groups.push([property]);
    } else {
      groups.push(property);
    }
  }
  return groups;
}

function rowsOf(flow: Dataflow): Row[] {
  const previous: Record<SystemName, string> = { CUSTOMERP: '', CRMOFFICE: '' };
  // A note repeated from the row above reads "(same)", as in the design's tables.
  const cell = (property: MappedProperty, system: SystemName): string => {
    const note = annotation(property, system);
    const shown = note.startsWith(' (') && note === previous[system] ? ' (same)' : note;
    previous[system] = note;
    return `${system === 'CUSTOMERP' ? property.customerp : property.crmoffice}${shown}`;
  };
  return groupRows(flow.properties).map((entry): Row => {
    if (Array.isArray(entry)) {
      const [first] = entry;
      const crmoffice = entry.map((p, i) => (i === 0 ? p.crmoffice : p.crmoffice.slice(p.crmoffice.lastIndexOf('.'))));
      return [entry.map((p) => p.customerp).join(', '), crmoffice.join(', '), first?.docGroup ?? ''];
    }
    if (isConstant(entry)) return ['—', `${entry.crmoffice} = ${entry.constant}`, entry.crmofficeType];
    return [cell(entry, 'CUSTOMERP'), cell(entry, 'CRMOFFICE'), entry.codec.crmofficeType];
  });
}

function heading(text: string, underline: string): string {
  return `${text}\n${underline.repeat(text.length)}`;
}

function section(flow: Dataflow): string {
  const left = `Customerp ${flow.customerp.type}`;
  const right = `Crmoffice ${flow.crmoffice.label}`;
  const rows: Row[] = [[`${left} Property`, `${right} Property`, 'Crmoffice Data Type'], ...rowsOf(flow)];
  const table = rows.map(([a, b, c]) => `   * - ${a}\n     - ${b}\n     - ${c}`).join('\n');
  return [
    heading(`${left} to ${right}`, '-'),
    `Every ${left} will be synchronized with a ${right}.`,
    '',
    `Once a link between a ${left} and a ${right} is established, it will keep in sync between the two systems, regardless of where it is edited.`,
    '',
    `The following properties are synchronized between a ${left} and a ${right}:`,
    '',
    '.. list-table::',
    '   :header-rows: 1',
    '',
    table,
  ].join('\n');
}

/** The whole dataflow document, stamped with `generatedAt`. */
export function renderDataflowDocument(generatedAt: Date): string {
  const rule = '='.repeat(TITLE.length);
  return (
    [
      `${rule}\n${TITLE}\n${rule}`,
      `Generated: ${generatedAt.toISOString()}`,
      `${heading('Introduction', '-')}\n\n${INTRODUCTION}`,
      ...dataflows.map(section),
    ].join('\n\n') + '\n'
  );
}
