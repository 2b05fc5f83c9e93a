import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.js';
import type { OperationFailure, SystemWrite } from './operation.js';

/**
 * A system refused a write-through mutation for good (its own validation, a unique value, a record
 * that is gone). Whatever the other system had applied was undone first (its write says COMPENSATED);
 * `extensions.writes` tells the client what happened on each side, `extensions.field` names the
 * unified input field the system complained about, when it named one.
 */
export class WriteRejectedError extends GraphQLError {
  readonly failure: OperationFailure;
  readonly writes: SystemWrite[];

  constructor(failure: OperationFailure, writes: SystemWrite[]) {
    super(failure.message, {
      extensions: {
        code: ErrorCode.UpstreamRejected,
        system: failure.system,
        upstreamCode: failure.upstreamCode,
        field: failure.field,
        writes,
      },
    });
    this.failure = failure;
    this.writes = writes;
  }
}
