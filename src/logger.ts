import { pino, type Logger } from 'pino';
import { currentRequestId } from './observability/request-context.js';

const level = process.env['LOG_LEVEL'] ?? (process.env['NODE_ENV'] === 'test' ? 'silent' : 'info');

/**
 * The process-wide structured logger: JSON lines, each carrying the request id of the work it belongs
 * to (GraphQL request, sync pass, outbox run); human-readable (pino-pretty) when stdout is a terminal.
 * `LOG_LEVEL` sets the level; tests run silent unless asked otherwise.
 */
export const logger: Logger = pino({
  level,
  base: { service: 'gateway' },
  mixin: () => {
    const requestId = currentRequestId();
    return requestId ? { requestId } : {};
  },
  // Personal data and credentials stay out of logs: never log these keys, wherever they appear
  // (`req.headers.authorization` included, and the upstream token settings should settings be logged).
  redact: {
    paths: [
      'email',
      '*.email',
      'phone',
      '*.phone',
      'mobile',
      '*.mobile',
      'authorization',
      '*.authorization',
      '*.*.authorization',
      'token',
      '*.token',
      'CUSTOMERP_TOKEN',
      '*.CUSTOMERP_TOKEN',
      'CRMOFFICE_TOKEN',
      '*.CRMOFFICE_TOKEN',
    ],
    censor: '[redacted]',
  },
  ...(process.stdout.isTTY && level !== 'silent'
    ? {
        transport: {
          target: 'pino-pretty',
          options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service,pid,hostname' },
        },
      }
    : {}),
});

export type { Logger };
