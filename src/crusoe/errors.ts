// Failures talking to Crusoe: one line for the user, exit code 1 (the source did not complete).
import { AppError, EXIT } from "../errors.ts";

export class CrusoeError extends AppError {
  constructor(
    message: string,
    readonly status?: number,
    hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, EXIT.failed, hint, options);
  }
}

/** First bytes of a body for an error message: bodies come from Crusoe, never carry our secrets. */
export function describeBody(text: string, max = 200): string {
  const head = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(head);
}
