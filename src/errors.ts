// Errors the CLI turns into one line, a hint and an exit code (DESIGN.md "Exit codes").

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  deadLettered: 3,
  lockHeld: 75,
  /** A one-shot run stopped before finishing: the shell's 128 + signal number. */
  sigint: 130,
  sigterm: 143,
} as const;

/** stdout's reader closed the pipe (`| head`): 128 + SIGPIPE, what a shell reports for any
 * writer stopped that way, so `set -o pipefail` scripts see the usual code, not a failure. */
export const EXIT_STDOUT_CLOSED = 141;

export class AppError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flag, variable or input: exit 2. The message names the thing that is wrong. */
export class UsageError extends AppError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
  }
}

/** Another run holds the stream's lock: exit 75. */
export class LockHeldError extends AppError {
  constructor(message: string) {
    super(message, EXIT.lockHeld, "wait for it to finish, or check `status` for the holder");
  }
}

/** A stop signal (SIGTERM/SIGINT) ended the work before it finished: nothing unsettled counts. */
export class StoppedError extends AppError {
  constructor(what: string) {
    super(`stopped before ${what} finished`, EXIT.failed);
  }
}
