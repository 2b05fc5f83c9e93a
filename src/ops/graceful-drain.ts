import { Server as NetServer, type Socket } from 'node:net';
import type { Server, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { logger } from '../logger.js';

export interface GracefulDrainOptions {
  /** How long in-flight requests get before every connection left is cut. @default 8000 */
  timeoutMs?: number;
  /**
   * How long a connection accepted just before the drain, that has not sent its request yet, gets
   * to send it (it is then answered, with `Connection: close`). @default 1000
   */
  freshGraceMs?: number;
}

interface ConnectionState {
  /** Requests on this connection whose response has not finished. */
  active: number;
  /** Requests answered on this connection so far. */
  served: number;
}

/**
 * Apollo Server's drain step for a node:http server, done so that no accepted connection is cut:
 * 1. the listener closes (new connections are refused) — through net.Server's close(), because
 *    http.Server's close() also destroys every connection without a request under way, including
 *    one accepted a moment ago whose request is still in the socket buffer (its client gets a reset);
 * 2. requests under way finish, answered with `Connection: close` when their headers are not out
 *    yet; their connections close after the response;
 * 3. connections that served requests and sit idle are ended at once; connections accepted but
 *    with no request yet get `freshGraceMs` to send one, which is answered, then they close too;
 * 4. after `timeoutMs`, whatever is left is destroyed.
 * Apollo runs this from `apollo.stop()` while it still executes operations (its `draining` phase).
 */
export function gracefulDrainPlugin<Context extends BaseContext>(
  server: Server,
  options: GracefulDrainOptions = {},
): ApolloServerPlugin<Context> {
  const timeoutMs = options.timeoutMs ?? 8000;
  const freshGraceMs = options.freshGraceMs ?? 1000;
  const connections = new Map<Socket, ConnectionState>();
  /** Responses not finished yet. */
  const responses = new Set<ServerResponse>();
  let draining = false;

  server.prependListener('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, served: 0 });
    socket.once('close', () => connections.delete(socket));
  });
  server.prependListener('request', (req, res) => {
    const state = connections.get(req.socket);
    if (state) state.active += 1;
    // Without keep-alive node answers with `Connection: close` and closes the connection after.
    if (draining) res.shouldKeepAlive = false;
    responses.add(res);
    res.once('close', () => responses.delete(res));
    res.once('finish', () => {
      if (!state) return;
      state.active -= 1;
      state.served += 1;
      if (draining && state.active === 0) req.socket.end();
    });
  });

  const drain = async (): Promise<void> => {
    draining = true;
    // Taken before the close: a client whose connection was still in the kernel's accept queue gets a
    // reset at this moment, never before; the log line lets anyone check that.
    const listenerClosedAt = Date.now();
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    logger.info({ listenerClosedAt, openConnections: connections.size }, 'stopped accepting connections; draining');
    for (const res of responses) if (!res.headersSent) res.shouldKeepAlive = false;
    for (const [socket, state] of connections) if (state.active === 0 && state.served > 0) socket.end();
    const fresh = setTimeout(() => {
      for (const [socket, state] of connections) if (state.active === 0) socket.end();
    }, freshGraceMs);
    let hard: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => {
      hard = setTimeout(() => {
        for (const socket of connections.keys()) socket.destroy();
        resolve();
      }, timeoutMs);
    });
    await Promise.race([closed, cut]);
    clearTimeout(fresh);
    clearTimeout(hard);
    await closed;
  };

  return {
    async serverWillStart() {
      return { drainServer: drain };
    },
  };
}
