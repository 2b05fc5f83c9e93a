import type { CrmofficeDatabase } from './database.js';

/** What every Crmoffice resolver gets: the data as it is now (a reset swaps it for a fresh seed). */
export interface CrmofficeContext {
  db: CrmofficeDatabase;
}
