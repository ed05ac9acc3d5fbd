// State errors: one line naming the store, document or key; exit 1 (DESIGN.md "Exit codes").
import { AppError, EXIT } from "../errors.ts";

export class StateError extends AppError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, EXIT.failed, hint, options);
  }
}

/**
 * A state document that does not parse or has the wrong shape. Never replaced silently: the run
 * stops, and every later run stops the same way, until an operator clears the stream.
 */
export class CorruptStateError extends StateError {
  constructor(
    /** fs path or Redis key of the bad document. */
    readonly location: string,
    reason: string,
  ) {
    super(
      `corrupt state document ${location} (${reason})`,
      "inspect it, then run `dedup-stats --clear` to move it aside and reset this stream (events inside the dedup retention may be sent again)",
    );
  }
}
