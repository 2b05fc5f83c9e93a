import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What travels with one unit of work (a GraphQL request, a sync pass, an outbox run) through async calls. */
export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` with a request id that logs and upstream calls made inside it carry. */
export function withRequestContext<T>(work: () => T, requestId: string = randomUUID()): T {
  return storage.run({ requestId }, work);
}

/** The request id of the work running now, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** A request id from a client's header, if it is a sane one (we echo it into logs and upstream headers). */
export function acceptRequestId(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._:-]{1,100}$/.test(value) ? value : undefined;
}

/** The header carrying a request id to the systems. */
export const REQUEST_ID_HEADER = 'x-request-id';
