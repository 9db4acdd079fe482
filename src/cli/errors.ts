/**
 * The CLI's exit-code rule, in one place:
 * - `0`: done (an empty list or a purge that removed nothing is still done);
 * - `1`: the command line was fine but the work failed: no such file, not an outbox, an outbox
 *   of a newer schema, a damaged file, a database that cannot be reached or is locked, a driver
 *   missing, a ticket not found or not in a state that allows the action;
 * - `2`: the command line is wrong: an unknown command or option, a bad or missing value (no
 *   `--db` and no PostgreSQL URL, no `--reason`), options that exclude each other. Nothing was
 *   opened.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The text of the rule, shown by `--help`. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  failed: no such file or table, not an outbox (left untouched), newer outbox schema,
     cannot connect, locked, ticket not found or not in the right state
  2  usage error: unknown command or option, bad or missing value (e.g. neither --db nor
     --database-url/DATABASE_URL), options that exclude each other`;

/**
 * An error the CLI prints as `vn-gateway: <message>` before exiting with `exitCode`. Messages
 * name files, tables and tickets, never an item's content or a password.
 */
export class CliError extends Error {
  readonly exitCode: 1 | 2;

  constructor(exitCode: 1 | 2, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The command line is wrong (exit 2). */
export const usageError = (message: string): CliError => new CliError(EXIT.usage, message);

/** The work failed (exit 1). */
export const failure = (message: string, cause?: unknown): CliError =>
  new CliError(EXIT.failed, message, cause === undefined ? undefined : { cause });
