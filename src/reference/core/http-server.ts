import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode } from '../../errors.js';
import { FaultInjector, parseFaultSettings, type FaultSettings } from './faults.js';
import { FeedAnnouncer, WebhookDispatcher, type AnnouncedFeed, type WebhookDeliveryOptions } from './webhooks.js';

/** What `GET /admin/stats` answers. */
export interface RequestStats {
  /** GraphQL HTTP requests served (fault-rejected ones are counted in `rejected` instead; unauthenticated ones nowhere). */
  requests: number;
  /** GraphQL HTTP requests answered with an injected fault (429, 500, 503). */
  rejected: number;
  /** Times each root field was resolved, summed over all served requests. */
  fields: Record<string, number>;
}

export interface ReferenceServerOptions<Context> {
  /** Shown in error messages and logs, e.g. `Customerp`. */
  name: string;
  schema: GraphQLSchema;
  /** Context for one GraphQL request. */
  context: () => Context;
  /** Puts the system back to its seeded data (`POST /admin/reset`). */
  reset: () => void;
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  faults?: Partial<FaultSettings>;
  /** Rewrites each error of an executed request before it is sent, e.g. `describeInputError`. @default identity */
  formatError?: (error: GraphQLError) => GraphQLError;
  /**
   * Bearer token every request must carry (`Authorization: Bearer <token>`), the admin endpoints'
   * included; any other request gets HTTP 401 and is counted nowhere. Printable ASCII, no spaces.
   * @default none: every request is accepted
   */
  token?: string;
  /** The change logs whose new entries are sent to webhook subscribers (`/admin/webhooks`). @default none */
  feeds?: () => readonly AnnouncedFeed[];
  /** Retries and timeouts of webhook deliveries. */
  webhookDelivery?: WebhookDeliveryOptions;
}

export interface RunningReferenceServer {
  /** e.g. `http://127.0.0.1:4001/graphql` */
  url: string;
  /** e.g. `http://127.0.0.1:4001` */
  origin: string;
  port: number;
  faults: FaultInjector;
  stats: () => RequestStats;
  /** The webhook subscribers and their delivery counts (`/admin/webhooks`). */
  webhooks: WebhookDispatcher;
  close: () => Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Serves a reference system: GraphQL over HTTP at `/graphql` plus the admin endpoints of
 * docs/design.md, "Reference system APIs" (listed in the README), all behind a bearer token when `token` is set. Plain `node:http` +
 * graphql-js: the stand-in for an external product needs no framework, and staying small keeps its
 * overhead out of the gateway's benchmarks.
 */
export async function startReferenceServer<Context>(
  options: ReferenceServerOptions<Context>,
): Promise<RunningReferenceServer> {
  const checkCredentials = options.token === undefined ? undefined : bearerCheck(options.name, options.token);
  const faults = new FaultInjector(options.faults);
  let stats: RequestStats = { requests: 0, rejected: 0, fields: {} };
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const webhooks = new WebhookDispatcher(options.name.toUpperCase(), options.webhookDelivery);
  const announcer = new FeedAnnouncer(options.feeds ?? (() => []), webhooks);

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = faults.judge();
    if (verdict.delayMs > 0) await sleep(verdict.delayMs);
    if (verdict.kind === 'reject') {
      stats.rejected += 1;
      const headers: Record<string, string> = {};
      if (verdict.retryAfterSeconds !== undefined) headers['retry-after'] = String(verdict.retryAfterSeconds);
      // Drain the body so keep-alive connections stay usable.
      await readBody(req).catch(() => undefined);
      return sendJson(res, verdict.status, { errors: [{ message: `${options.name}: ${verdict.message}` }] }, headers);
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'request body must be JSON' }] });
    }
    const { query, variables, operationName } = (body ?? {}) as Record<string, unknown>;
    if (typeof query !== 'string') return sendJson(res, 400, { errors: [{ message: 'query must be a string' }] });
    const document = parseCached(query);
    if (!('kind' in document)) return sendJson(res, 400, { errors: document.map((e) => e.toJSON()) });
    stats.requests += 1;
    countRootFields(document, typeof operationName === 'string' ? operationName : undefined, stats.fields);
    const result = await execute({
      schema: options.schema,
      document,
      variableValues: isObject(variables) ? variables : undefined,
      operationName: typeof operationName === 'string' ? operationName : undefined,
      contextValue: options.context(),
    });
    const { formatError } = options;
    sendJson(
      res,
      200,
      formatError && result.errors ? { ...result, errors: result.errors.map((e) => formatError(e)) } : result,
    );
    // After the answer is sent: deliveries run in the background and never hold up the write.
    announcer.announce();
  }

  function parseCached(query: string): DocumentNode | readonly GraphQLError[] {
    const cached = documents.get(query);
    if (cached) return cached;
    let outcome: DocumentNode | readonly GraphQLError[];
    try {
      const document = parse(query);
      const errors = validate(options.schema, document);
      outcome = errors.length > 0 ? errors : document;
    } catch (error) {
      outcome = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
    }
    if (documents.size < 1000) documents.set(query, outcome);
    return outcome;
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && path === '/admin/stats') return sendJson(res, 200, stats);
    if (req.method === 'POST' && path === '/admin/stats/reset') {
      stats = { requests: 0, rejected: 0, fields: {} };
      return sendJson(res, 200, stats);
    }
    if (req.method === 'GET' && path === '/admin/faults') return sendJson(res, 200, faults.current);
    if (req.method === 'POST' && path === '/admin/faults') {
      let body: unknown;
      try {
        const raw = await readBody(req);
        body = raw.trim() === '' ? {} : JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { error: 'body must be JSON' });
      }
      const parsed = parseFaultSettings(body);
      if (typeof parsed === 'string') return sendJson(res, 400, { error: parsed });
      return sendJson(res, 200, faults.set(parsed));
    }
    if (req.method === 'POST' && path === '/admin/reset') {
      await readBody(req).catch(() => undefined);
      options.reset();
      announcer.baseline();
      stats = { requests: 0, rejected: 0, fields: {} };
      return sendJson(res, 200, { reset: true });
    }
    if (path === '/admin/webhooks' || path.startsWith('/admin/webhooks/')) return handleWebhooks(req, res, path);
    sendJson(res, 404, { error: `no admin endpoint ${req.method} ${path}` });
  }

  /** `POST /admin/webhooks {url, secret}` subscribes, `GET` lists (no secrets), `DELETE /admin/webhooks/<id>` removes. */
  async function handleWebhooks(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && path === '/admin/webhooks') return sendJson(res, 200, webhooks.list());
    if (req.method === 'POST' && path === '/admin/webhooks') {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        return sendJson(res, 400, { error: 'body must be JSON' });
      }
      const subscription = webhooks.subscribe(body);
      if (typeof subscription === 'string') return sendJson(res, 400, { error: subscription });
      return sendJson(res, 201, subscription);
    }
    const id = decodeURIComponent(path.slice('/admin/webhooks/'.length));
    if (req.method === 'DELETE' && id !== '') {
      await readBody(req).catch(() => undefined);
      return webhooks.remove(id)
        ? sendJson(res, 200, { removed: id })
        : sendJson(res, 404, { error: `no webhook ${id}` });
    }
    sendJson(res, 404, { error: `no admin endpoint ${req.method} ${path}` });
  }

  /** 401 before anything else happens: no fault is judged, nothing is counted, nothing of the request is echoed. */
  async function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): Promise<void> {
    await readBody(req).catch(() => undefined); // keeps a keep-alive connection usable
    const challenge = `Bearer realm="${options.name}"${refusal === 'invalid' ? ', error="invalid_token"' : ''}`;
    const message = `${options.name}: ${refusal === 'invalid' ? 'invalid bearer token' : 'missing bearer token'}`;
    sendJson(
      res,
      401,
      { errors: [{ message, extensions: { code: ErrorCode.Unauthenticated } }] },
      { 'www-authenticate': challenge },
    );
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const refusal = checkCredentials?.(req.headers.authorization);
    const handle = refusal
      ? refuse(req, res, refusal)
      : path === '/graphql' && req.method === 'POST'
        ? handleGraphQL(req, res)
        : path.startsWith('/admin/')
          ? handleAdmin(req, res, path)
          : Promise.resolve(sendJson(res, 404, { error: `no route ${req.method} ${path}` }));
    handle.catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: `${options.name}: ${String(error)}` }] });
      else res.end();
    });
  });
  server.keepAliveTimeout = 30_000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host}:${port}`;

  return {
    url: `${origin}/graphql`,
    origin,
    port,
    faults,
    stats: () => structuredClone(stats),
    webhooks,
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Refusal = 'missing' | 'invalid';

/**
 * Checks an Authorization header against the token (RFC 6750 `Bearer`, scheme case-insensitive):
 * undefined when it matches. Compares SHA-256 digests in constant time, so neither the content nor
 * the length of the token leaks through timing.
 */
function bearerCheck(name: string, token: string): (header: string | undefined) => Refusal | undefined {
  // Never put the token itself in this message: it ends up in logs.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error(`${name}: the token must be printable ASCII without spaces`);
  const expected = sha256(token);
  return (header) => {
    const credentials = header === undefined ? undefined : /^Bearer(?: +(.*))?$/i.exec(header.trim());
    if (!credentials?.[1]) return 'missing'; // no header, another scheme, or `Bearer` alone
    return timingSafeEqual(sha256(credentials[1]), expected) ? undefined : 'invalid';
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function countRootFields(
  document: DocumentNode,
  operationName: string | undefined,
  fields: Record<string, number>,
): void {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD && !selection.name.value.startsWith('__')) {
      fields[selection.name.value] = (fields[selection.name.value] ?? 0) + 1;
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
