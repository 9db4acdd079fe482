import pino, { type Logger } from 'pino';

/**
 * Fields pino censors on the gateway's loggers. The real protection is an allow-list: the gateway's
 * log lines carry only fixed fields (upstream, operation, requestId, outcome, attempts,
 * durationMs, error code and status, ticket), never an input, a body, a header or an error object.
 * These paths are defence in depth for the top level, where a mistake would most likely land; no
 * wildcards, because wildcard redaction walks every line and costs more than the rest of a call's
 * logging.
 */
export const REDACT_PATHS: readonly string[] = [
  'personalId',
  'fullName',
  'dateOfBirth',
  'taxCode',
  'input',
  'body',
  'headers',
  'token',
  'authorization',
  'clientSecret',
];

const redact = { paths: [...REDACT_PATHS], censor: '[redacted]' };

/** The default logger: pino at `info` to stdout. */
export function defaultLogger(): Logger {
  return pino({ level: 'info' });
}

/** One child logger per upstream (of the injected or default logger), with {@link REDACT_PATHS}. */
export function upstreamLogger(root: Logger, upstream: string): Logger {
  return root.child({ upstream }, { redact });
}

export type { Logger };
