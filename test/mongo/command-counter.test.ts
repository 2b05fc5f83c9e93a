import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { countCommands } from '../../src/mongo/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

describe('countCommands', () => {
  let mongo: TestDatabase;

  beforeAll(async () => {
    mongo = await testDatabase('command counter');
  });

  afterAll(async () => {
    await mongo.drop();
  });

  it('counts each command the client sends, by name, until reset or stopped', async () => {
    const notes = mongo.db.collection('notes');
    const counter = countCommands(mongo.client);
    await notes.insertOne({ n: 1 });
    await notes.find({}).toArray();
    expect(counter.count()).toBe(2);
    expect(counter.names()).toEqual(['insert', 'find']);

    counter.reset();
    await notes.countDocuments({});
    expect(counter.names()).toEqual(['aggregate']);

    counter.stop();
    await notes.findOne({});
    expect(counter.count()).toBe(1);
  });

  it('refuses a client without command monitoring, whose counts would always be 0', () => {
    const client = new MongoClient(process.env['MONGODB_URI']!);
    expect(() => countCommands(client)).toThrow(
      'countCommands needs a MongoClient created with { monitorCommands: true }',
    );
  });
});
