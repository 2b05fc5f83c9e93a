/** How retries of an operation whose system was unreachable are spaced. */
export interface BackoffOptions {
  /** First delay; doubled per attempt. @default 500 */
  baseDelayMs?: number;
  /** Longest delay (also caps a system's Retry-After). @default 60000 */
  maxDelayMs?: number;
}

/**
 * The delay before retry number `attempt` (1-based): capped exponential backoff with "equal jitter"
 * (half fixed, half random), so that operations parked by one outage do not all come back at once.
 * A system's Retry-After, when it sent one, is the least delay.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 60_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return retryAfterSeconds === undefined ? jittered : Math.min(max, Math.max(jittered, retryAfterSeconds * 1000));
}
