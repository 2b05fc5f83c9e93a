import { UpstreamUnavailableError, type SystemName } from '../../errors.js';

/**
 * The systems found unavailable during one request. Once a system has failed (timed out, down, rate
 * limiting), later reads of the same request fail at once with the same error instead of waiting for
 * another timeout: a request costs at most one timeout per system, whatever depth it asks for.
 */
export class RequestOutages {
  private readonly failed = new Map<SystemName, UpstreamUnavailableError>();

  /** Remembers that `error.system` is unavailable for the rest of the request. */
  record(error: UpstreamUnavailableError): void {
    if (!this.failed.has(error.system)) this.failed.set(error.system, error);
  }

  /** The error `system` failed with earlier in this request, or undefined. */
  of(system: SystemName): UpstreamUnavailableError | undefined {
    return this.failed.get(system);
  }
}
