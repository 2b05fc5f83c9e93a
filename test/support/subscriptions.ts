import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { waitUntil } from './sync-process.js';

/** One `next` message's payload as a graphql-ws client receives it. */
export interface SubscriptionEvent<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** How the server ended a subscription: `complete`, an error message, or the socket's close. */
export interface Ending {
  completed: boolean;
  /** The close event (code, reason) or the error messages the server sent. */
  error?: { code?: number; reason?: string } | readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** A running subscription: what it has received, and how it ended (if it has). */
export interface LiveSubscription<T> {
  events: SubscriptionEvent<T>[];
  ending: Ending | null;
  /** Waits until `count` events have arrived (or the subscription ended), at most `timeoutMs`. */
  received(count: number, timeoutMs?: number): Promise<SubscriptionEvent<T>[]>;
  /** Waits until the server ends it. */
  ended(timeoutMs?: number): Promise<Ending>;
  stop(): void;
}

/**
 * A graphql-ws client of a gateway (its http(s) /graphql URL), `authorization` sent in
 * `connection_init` as the gateway expects; never reconnects, so a refusal ends its subscriptions.
 */
export function subscriptionClient(graphqlUrl: string, authorization?: string): Client {
  return createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    ...(authorization ? { connectionParams: { authorization } } : {}),
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribe<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<T> {
  const live: LiveSubscription<T> = {
    events: [],
    ending: null,
    received: async (count, timeoutMs = 20_000) => {
      await waitUntil(
        () => live.events.length >= count || live.ending !== null,
        timeoutMs,
        () => `${live.events.length} of ${count} events; ended: ${JSON.stringify(live.ending)}`,
      );
      return live.events;
    },
    ended: async (timeoutMs = 20_000) => {
      await waitUntil(
        () => live.ending !== null,
        timeoutMs,
        () => `not ended; events: ${JSON.stringify(live.events)}`,
      );
      return live.ending!;
    },
    stop: () => dispose(),
  };
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (event) => live.events.push(event as SubscriptionEvent<T>),
      error: (error: unknown) => {
        const closed = error as { code?: number; reason?: string };
        live.ending = {
          completed: false,
          error: Array.isArray(error) ? error : { code: closed.code, reason: closed.reason },
        };
      },
      complete: () => (live.ending ??= { completed: true }),
    },
  );
  return live;
}
