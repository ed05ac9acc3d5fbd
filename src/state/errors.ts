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
      "inspect it, then run `dedup-stats --clear --yes` to move it aside and reset this stream (events inside the dedup retention may be sent again)",
    );
  }
}

/** What the common file-system errors mean, in the words an operator searches for. */
const FS_REASONS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a path component is not a directory",
  EISDIR: "is a directory",
  ENOENT: "no such file or directory",
  ELOOP: "is a symlink, which state files never follow",
  EIO: "input/output error",
};

/** A file operation that failed; keeps the errno `code` so callers can still test for EEXIST. */
class StateFileError extends StateError {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      message,
      "check that the state directory exists, is writable by this user and has free space",
      options,
    );
  }
}

/** `cannot write <path>: ENOSPC (no space left on device)`; an error already naming its file passes. */
export function fsFailure(action: string, path: string, error: unknown): StateError {
  if (error instanceof StateError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code
    ? `${code} (${FS_REASONS[code] ?? (error as Error).message})`
    : (error as Error).message;
  return new StateFileError(`cannot ${action} ${path}: ${reason}`, code, { cause: error });
}
