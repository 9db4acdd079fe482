import type { Logger } from 'pino';
import { loadPino } from '../util/lazy-deps.js';

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

/** One log method of a {@link GatewayLogger}: `(obj, msg?)` or `(msg)`, as pino's. */
export interface GatewayLogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

/**
 * The logger the gateway writes to: any pino-compatible logger (pino itself, Fastify's `app.log`,
 * a child of either). The gateway only logs objects of fixed fields and a message, and makes one
 * child per upstream; the child's second argument carries pino's `redact` options, which a
 * non-pino logger may ignore.
 */
export interface GatewayLogger {
  trace: GatewayLogFn;
  debug: GatewayLogFn;
  info: GatewayLogFn;
  warn: GatewayLogFn;
  error: GatewayLogFn;
  fatal: GatewayLogFn;
  child(bindings: Record<string, unknown>, options?: object): GatewayLogger;
  /** The logger's level name, e.g. `info`. */
  level?: string | undefined;
}

/** The default logger: pino at `info` to stdout. */
export function defaultLogger(): GatewayLogger {
  return loadPino()({ level: 'info' });
}

/** One child logger per upstream (of the injected or default logger), with {@link REDACT_PATHS}. */
export function upstreamLogger(root: GatewayLogger, upstream: string): GatewayLogger {
  return root.child({ upstream }, { redact });
}

export type { Logger };
