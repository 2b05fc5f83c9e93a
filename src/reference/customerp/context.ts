import type { CustomerpDatabase } from './database.js';

/** What every Customerp resolver gets: the one database of this server. */
export interface CustomerpContext {
  db: CustomerpDatabase;
}
