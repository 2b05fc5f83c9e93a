/** The unified GraphQL API: Apollo Server over the link store and both systems (schema/gateway.graphql). */
export { startGateway, type GatewayServerOptions, type RunningGateway } from './server.js';
export { buildGatewaySchema } from './schema.js';
export { createContext, type GatewayContext, type GatewayDependencies } from './context.js';
export { MAX_PAGE_SIZE } from './paging.js';
export { decodeConflictId, encodeConflictId } from './ids.js';
