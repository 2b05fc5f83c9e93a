import { pino } from 'pino';
import { logger } from '../../src/logger.js';

/** The process logger's output, line by line, while captured. */
export interface CapturedLogs {
  /** Every line written so far (JSON, as pino writes it). */
  readonly lines: string[];
  /** The lines, parsed. */
  entries(): { level: number; msg: string; [key: string]: unknown }[];
  /** Puts the logger's level and destination back. */
  release(): void;
}

/**
 * Turns the process logger (silent in tests) up to `level` and keeps what it writes instead of
 * printing it: the lines are exactly what an operator's log would get, redaction included.
 */
export function captureLogs(level: 'debug' | 'trace' | 'info' = 'debug'): CapturedLogs {
  const stream = (logger as unknown as Record<symbol, { write: (line: string) => unknown }>)[pino.symbols.streamSym];
  if (!stream) throw new Error('the logger has no destination stream to capture');
  const lines: string[] = [];
  const ownWrite = Object.hasOwn(stream, 'write') ? stream.write : undefined;
  const previousLevel = logger.level;
  stream.write = (chunk: string) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line !== ''),
    );
    return true;
  };
  logger.level = level;
  return {
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as { level: number; msg: string }),
    release: () => {
      logger.level = previousLevel;
      if (ownWrite) stream.write = ownWrite;
      else delete (stream as { write?: unknown }).write; // back to the prototype's
    },
  };
}
