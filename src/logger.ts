import { pino, type Logger } from 'pino';

/**
 * The process-wide structured logger (JSON lines on stdout). `LOG_LEVEL` sets the level;
 * tests run with `silent` unless asked otherwise.
 */
export const logger: Logger = pino({
  level: process.env['LOG_LEVEL'] ?? (process.env['NODE_ENV'] === 'test' ? 'silent' : 'info'),
  base: { service: 'gateway' },
});

export type { Logger };
