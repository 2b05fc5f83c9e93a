import { describe, expect, it } from '@jest/globals';
import { connectMongo, redactUri } from '../../src/mongo/index.js';

describe('connectMongo', () => {
  it('connects to the run’s MongoDB and returns the named database', async () => {
    const { client, db } = await connectMongo(process.env['MONGODB_URI']!, 't_connect');
    expect(db.databaseName).toBe('t_connect');
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    await client.close();
  });

  it('fails at connect time, not on the first query, when nothing listens', async () => {
    await expect(
      connectMongo('mongodb://u:secret@127.0.0.1:9/', 'x', { serverSelectionTimeoutMS: 200 }),
    ).rejects.toThrow(/^cannot connect to MongoDB at mongodb:\/\/\*\*\*@127\.0\.0\.1:9\/: /);
  });
});

describe('redactUri', () => {
  it('hides credentials and leaves the rest', () => {
    expect(redactUri('mongodb://user:pw@db.example:27017/app?tls=true')).toBe(
      'mongodb://***@db.example:27017/app?tls=true',
    );
    expect(redactUri('mongodb://127.0.0.1:27017/')).toBe('mongodb://127.0.0.1:27017/');
  });
});
