/**
 * An error caused by what the user asked for (unknown user, missing group,
 * bad name): the CLI prints its message alone and exits 1, the web UI shows
 * it; anything else is a bug and is logged with its stack.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
