import type { CommandStartedEvent, MongoClient } from 'mongodb';

/** Counts the commands a client sends, so a test can assert exact round trips to MongoDB. */
export interface CommandCounter {
  /** Commands started since creation or the last reset(). */
  count(): number;
  /** Their names in order (`find`, `aggregate`, `findAndModify`, …). */
  names(): string[];
  reset(): void;
  /** Stops listening; the counts stay readable. */
  stop(): void;
}

/**
 * Starts counting `client`'s commands through the driver's command monitoring. The client must have
 * been created with `monitorCommands: true` (otherwise it emits nothing and every count would be 0).
 */
export function countCommands(client: MongoClient): CommandCounter {
  if (!client.options.monitorCommands) {
    throw new Error('countCommands needs a MongoClient created with { monitorCommands: true }');
  }
  let names: string[] = [];
  const onStarted = (event: CommandStartedEvent): void => void names.push(event.commandName);
  client.on('commandStarted', onStarted);
  return {
    count: () => names.length,
    names: () => [...names],
    reset: () => void (names = []),
    stop: () => void client.off('commandStarted', onStarted),
  };
}
