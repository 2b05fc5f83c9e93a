import type { Server } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Principal } from '../../auth/principal.js';
import { errorCodeOf, ErrorCode, LimitExceededError } from '../../errors.js';
import { logger } from '../../logger.js';
import type { GatewayContext } from '../context.js';
import type { OperationLimitOptions } from '../limits/index.js';

export interface SubscriptionLimits {
  /** WebSocket connections one caller (API key, JWT subject; the address when unauthenticated) may hold open in one process. @default 16 */
  connectionsPerCaller?: number;
  /** Subscriptions running at once on one connection. @default 32 */
  subscriptionsPerConnection?: number;
}

export interface SubscriptionServerOptions {
  httpServer: Server;
  /** The GraphQL path, shared with HTTP: WebSocket upgrades to it are subscriptions. */
  path: string;
  schema: GraphQLSchema;
  /** Who a connection comes from, checked as an HTTP request is (authentication, rate limit); throws to refuse. */
  admit: (authorization: string | undefined, address: string) => Promise<Principal>;
  /** The context of one subscription (its loaders are renewed per event). */
  context: (principal: Principal) => GatewayContext;
  limits: Pick<OperationLimitOptions<GatewayContext>, 'parseOptions' | 'validationRules' | 'costLimit'>;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  connections?: SubscriptionLimits;
}

/** What the server keeps per connection: its caller, once admitted. */
type ConnectionExtra = {
  principal?: Principal;
  caller?: string;
};

/** Close codes beyond graphql-ws' own, in the 4000–4999 range the WebSocket protocol leaves to applications. */
const TOO_MANY_CONNECTIONS = 4429;

/**
 * Subscriptions over graphql-ws (the `graphql-transport-ws` protocol Apollo's documentation pairs with
 * Apollo Server) on the gateway's HTTP server. A connection is admitted at `connection_init` the way an
 * HTTP request is: `{ authorization: "Bearer …" }` in its payload, authenticated and counted against
 * the caller's rate limit; refused with close code 4401 (no or bad credential), 4429 (rate limited,
 * or the caller already holds `connectionsPerCaller` connections) or 4500 (the check itself failed).
 * Only subscription operations are served (queries and mutations go over HTTP, where admission
 * control and metrics are), within the same operation limits as HTTP, with errors formatted as HTTP's.
 */
export function serveSubscriptions(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const connectionsPerCaller = options.connections?.connectionsPerCaller ?? 16;
  const subscriptionsPerConnection = options.connections?.subscriptionsPerConnection ?? 32;
  const open = new Map<string, number>();
  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => options.formatError(error.toJSON(), error));

  const wss = new WebSocketServer({ server: options.httpServer, path: options.path });
  const server = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const address = `ip:${request.socket.remoteAddress ?? 'unknown'}`;
        let principal: Principal;
        try {
          principal = await options.admit(authorizationOf(ctx.connectionParams), address);
        } catch (error) {
          const code = errorCodeOf(error);
          if (code === ErrorCode.Unauthenticated) socket.close(CloseCode.Unauthorized, (error as Error).message);
          else if (code === ErrorCode.RateLimited) socket.close(TOO_MANY_CONNECTIONS, (error as Error).message);
          else {
            logger.error({ err: error }, 'could not admit a subscription connection');
            socket.close(CloseCode.InternalServerError, 'Internal server error');
          }
          return false;
        }
        const caller = principal.kind === 'open' ? address : principal.subject;
        const held = open.get(caller) ?? 0;
        if (held >= connectionsPerCaller) {
          socket.close(TOO_MANY_CONNECTIONS, `too many connections: at most ${connectionsPerCaller} per caller`);
          return false;
        }
        open.set(caller, held + 1);
        ctx.extra.principal = principal;
        ctx.extra.caller = caller;
        return true;
      },
      onClose: (ctx) => {
        const { caller } = ctx.extra;
        if (caller === undefined) return;
        const held = (open.get(caller) ?? 1) - 1;
        if (held > 0) open.set(caller, held);
        else open.delete(caller);
      },
      onSubscribe: (ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] => {
        // graphql-ws has entered this subscription in ctx.subscriptions before asking.
        if (Object.keys(ctx.subscriptions).length > subscriptionsPerConnection) {
          return [
            new LimitExceededError(
              `too many subscriptions: at most ${subscriptionsPerConnection} per connection`,
              'subscriptionsPerConnection',
            ),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, options.limits.parseOptions);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('the document names no operation to run')];
        if (operation.operation !== 'subscription') {
          return [
            new GraphQLError(`only subscriptions are served over WebSocket: send ${operation.operation}s over HTTP`, {
              extensions: { code: ErrorCode.BadRequest },
            }),
          ];
        }
        const variables = payload.variables ?? {};
        const invalid = validate(options.schema, document, [...specifiedRules, ...options.limits.validationRules]);
        if (invalid.length > 0) return invalid;
        const overCost = options.limits.costLimit(options.schema, document, operation, variables);
        if (overCost) return [overCost];
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: variables,
          contextValue: options.context(ctx.extra.principal!),
        };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: format(result.errors) } : undefined,
    },
    wss,
  );
  return {
    close: async () => {
      await server.dispose();
    },
  };
}

/** The credential of a `connection_init` payload: `authorization` (any case), as an HTTP header carries it. */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  const key = Object.keys(params).find((name) => name.toLowerCase() === 'authorization');
  const value = key === undefined ? undefined : params[key];
  return typeof value === 'string' ? value : undefined;
}
