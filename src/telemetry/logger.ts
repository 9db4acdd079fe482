import pino, { type Logger } from 'pino';

/**
 * Paths pino censors, as defence in depth: the gateway never logs inputs, bodies or headers, but a
 * city system may pass its own objects to the logger it gave us.
 */
export const REDACT_PATHS: readonly string[] = [
  'personalId',
  'fullName',
  'dateOfBirth',
  'taxCode',
  'token',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.personalId',
  '*.fullName',
  '*.dateOfBirth',
  '*.taxCode',
  '*.token',
  '*.authorization',
  '*.Authorization',
  '*.clientSecret',
  '*.SoDinhDanh',
  '*.HoVaTen',
  '*.NgayThangNamSinh',
  '*.soDinhDanh',
  '*.hoTen',
  '*.ngaySinh',
];

/** The default logger: pino at `info` to stdout, with {@link REDACT_PATHS}. */
export function defaultLogger(): Logger {
  return pino({ level: 'info', redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } });
}

/** One child logger per upstream, with redaction also applied to an injected logger. */
export function upstreamLogger(root: Logger, upstream: string): Logger {
  return root.child({ upstream }, { redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } });
}

export type { Logger };
