import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countCommands, mongoFlavorOf } from '../../src/mongo/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// The test run's MongoDB is the FerretDB that global-setup started (see test/support/global-setup.ts).

let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase('flavor');
});

afterAll(() => database.drop());

describe('mongoFlavorOf', () => {
  it('recognises FerretDB, asking the server once per Db', async () => {
    const commands = countCommands(database.client);
    const answers = await Promise.all([mongoFlavorOf(database.db), mongoFlavorOf(database.db), mongoFlavorOf(database.db)]);
    expect(answers).toEqual(['ferretdb', 'ferretdb', 'ferretdb']);
    expect(await mongoFlavorOf(database.db)).toBe('ferretdb');
    expect(commands.names()).toEqual(['buildInfo']);
  });
});
