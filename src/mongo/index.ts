/** MongoDB plumbing: connecting, starting a local FerretDB when no MongoDB is configured, counting commands. */
export { connectMongo, redactUri, DEFAULT_MONGO_OPTIONS, type MongoConnection } from './connect.js';
export {
  startFerretDB,
  findFerretDB,
  FerretDBNotFoundError,
  FerretDBStartError,
  type FerretDBOptions,
  type FerretDBServer,
} from './ferretdb.js';
export { countCommands, type CommandCounter } from './command-counter.js';
export { mongoFlavorOf, type MongoFlavor } from './flavor.js';
