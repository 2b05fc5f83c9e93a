import { pino, type Logger } from 'pino';
import { LOG_LEVELS } from './config.js';
import { currentRequestId } from './observability/request-context.js';

// The logger exists before the settings are validated (every module may log), so it never trusts
// LOG_LEVEL: a value pino does not know falls back to info here, and loadSettings() then stops the
// process with its one-line error (exit 2) instead of pino throwing a stack trace at import.
const requested = process.env['LOG_LEVEL'];
const level =
  requested && (LOG_LEVELS as readonly string[]).includes(requested)
    ? requested
    : process.env['NODE_ENV'] === 'test' && !requested
      ? 'silent'
      : 'info';

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
