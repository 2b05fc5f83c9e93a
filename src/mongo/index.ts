/** MongoDB plumbing: connecting, starting the embedded engine when no MongoDB is configured, counting commands. */
export { connectMongo, redactUri, DEFAULT_MONGO_OPTIONS, type MongoConnection } from './connect.js';
export {
  startEmbeddedMongo,
  EMBEDDED_MONGO_NAME,
  EmbeddedMongoNotInstalledError,
  EmbeddedMongoStartError,
  type EmbeddedMongo,
  type EmbeddedMongoOptions,
} from './embedded-mongo.js';
export { countCommands, type CommandCounter } from './command-counter.js';
export {
  queriesOf,
  queryShapeOf,
  entryOfShape,
  renderQueryShapeTable,
  unservedReason,
  type QueryShapeIndex,
} from './query-shape.js';
export { dropIndexIfPresent } from './indexes.js';
