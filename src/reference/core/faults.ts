/**
 * Fault injection for the reference systems, so tests and benchmarks can make a system slow,
 * flaky, down or rate limited on purpose. Set from configuration at start and from
 * `POST /admin/faults` at run time (`{}` clears everything).
 */
export interface FaultSettings {
  /** Added before every GraphQL request is answered. @default 0 */
  latencyMs: number;
  /** Share of GraphQL requests answered with HTTP 500, 0 to 1. @default 0 */
  errorRate: number;
  /** Every GraphQL request is answered with HTTP 503. @default false */
  outage: boolean;
  /** GraphQL requests allowed per second; more are answered 429 with Retry-After. 0 = unlimited. @default 0 */
  rateLimitPerSec: number;
}

export const noFaults: FaultSettings = { latencyMs: 0, errorRate: 0, outage: false, rateLimitPerSec: 0 };

/** What to do with one incoming GraphQL request. */
export type FaultVerdict =
  | { kind: 'serve'; delayMs: number }
  | { kind: 'reject'; status: 429 | 500 | 503; delayMs: number; retryAfterSeconds?: number; message: string };

export class FaultInjector {
  private settings: FaultSettings = { ...noFaults };
  private windowStart = 0;
  private windowCount = 0;

  constructor(
    initial: Partial<FaultSettings> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.set(initial);
  }

  get current(): FaultSettings {
    return { ...this.settings };
  }

  /** Replaces the settings: fields left out go back to their defaults, so `{}` clears all faults. */
  set(input: Partial<FaultSettings>): FaultSettings {
    this.settings = { ...noFaults, ...input };
    this.windowStart = 0;
    this.windowCount = 0;
    return this.current;
  }

  /** Decides the fate of one request; counts it against the rate limit. */
  judge(now: number = Date.now()): FaultVerdict {
    const { latencyMs, errorRate, outage, rateLimitPerSec } = this.settings;
    if (outage) return { kind: 'reject', status: 503, delayMs: latencyMs, message: 'service unavailable (outage)' };
    if (rateLimitPerSec > 0) {
      if (now - this.windowStart >= 1000) {
        this.windowStart = now;
        this.windowCount = 0;
      }
      this.windowCount += 1;
      if (this.windowCount > rateLimitPerSec) {
        const retryAfterSeconds = Math.max(1, Math.ceil((this.windowStart + 1000 - now) / 1000));
        return { kind: 'reject', status: 429, delayMs: 0, retryAfterSeconds, message: 'rate limit exceeded' };
      }
    }
    if (errorRate > 0 && this.random() < errorRate) {
      return { kind: 'reject', status: 500, delayMs: latencyMs, message: 'injected server error' };
    }
    return { kind: 'serve', delayMs: latencyMs };
  }
}

/** Validates an `/admin/faults` body; returns a message for the first bad field. */
export function parseFaultSettings(body: unknown): Partial<FaultSettings> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const input = body as Record<string, unknown>;
  const out: Partial<FaultSettings> = {};
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case 'latencyMs':
      case 'rateLimitPerSec':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `${key} must be a number >= 0`;
        out[key] = value;
        break;
      case 'errorRate':
        if (typeof value !== 'number' || value < 0 || value > 1) return 'errorRate must be a number from 0 to 1';
        out.errorRate = value;
        break;
      case 'outage':
        if (typeof value !== 'boolean') return 'outage must be a boolean';
        out.outage = value;
        break;
      default:
        return `unknown fault setting ${key}`;
    }
  }
  return out;
}
