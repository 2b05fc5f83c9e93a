import { MongoServerError, type Collection, type Document } from 'mongodb';

/** MongoDB's codes for "no such collection" and "no such index". */
const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

/**
 * Drops the index `name` of `collection` if it is there. Safe when several processes start at once
 * and race to drop the same retired index: the losers find it gone, which is what they wanted.
 */
export async function dropIndexIfPresent<T extends Document>(collection: Collection<T>, name: string): Promise<void> {
  try {
    await collection.dropIndex(name);
  } catch (error) {
    if (error instanceof MongoServerError && (error.code === INDEX_NOT_FOUND || error.code === NAMESPACE_NOT_FOUND))
      return;
    // Engines that do not set a code still say so in words.
    if (error instanceof MongoServerError && /index not found|ns not found|can't find index/i.test(error.message))
      return;
    throw error;
  }
}
