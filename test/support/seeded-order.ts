import type { Link } from '../../src/links/index.js';

/**
 * Links in the order of the seeded records they hold: Customerp's id, then Crmoffice's, numbers in
 * numeric order (emp-2 before emp-10). Never the random link `_id`: a test that takes the first ones
 * gets the same named records in every run.
 */
export function bySeededRecord(
  a: Pick<Link, 'customerp' | 'crmoffice'>,
  b: Pick<Link, 'customerp' | 'crmoffice'>,
): number {
  const key = (link: Pick<Link, 'customerp' | 'crmoffice'>): string =>
    `${link.customerp?.id ?? '~'} ${link.crmoffice?.id ?? '~'}`;
  return key(a).localeCompare(key(b), 'en', { numeric: true });
}
