/**
 * The gateway's one error family. Every failure a caller can see is a {@link GatewayError} with a
 * stable string `code`; check it with {@link isGatewayError}, which works across two installed
 * copies of this package (no `instanceof`).
 */

/** Stable error codes. Never renamed; new ones may be added. */
export const ERROR_CODES = [
  'VALIDATION',
  'CONTRACT',
  'AUTH',
  'NOT_FOUND',
  'REJECTED',
  'UPSTREAM_UNAVAILABLE',
  'RATE_LIMITED',
  'TIMEOUT',
  'NETWORK',
  'CIRCUIT_OPEN',
  'BULKHEAD_FULL',
  'ABORTED',
  'NOT_SAVED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * What each code means to the pipeline, in one table:
 * - `transient`: a passing condition of the upstream (or of our own protection in front of it), so
 *   a later call may succeed: the fallbacks (stale read, queued write) apply. Not `ABORTED`: the
 *   caller gave up.
 * - `retryable`: worth another attempt inside the same call (the default of
 *   {@link GatewayError.retryable}; an error may say otherwise, e.g. HTTP 500 or the call's deadline).
 * - `health`: what an attempt ending so says of the upstream, to the circuit breaker: `failure`
 *   counts against it, `inconclusive` neither counts nor closes a half-open breaker, `answered`
 *   (the platform answered, even if to refuse) counts as a success.
 * - `local`: ended on our own side, not the upstream's: refused by our own protection before
 *   anything was sent (a replay so refused is not slowed down), or not stored by our outbox.
 *
 * `NOT_SAVED` is none of the upstream's doing: the write could not be stored in the outbox (the
 * database is down), so it is neither sent nor queued. Not `transient` (it is the fallback that
 * failed: there is nothing left to fall back on), `retryable` (resubmitting with the same dossier
 * code is safe and should succeed once the store is back), and it says nothing of the upstream.
 */
export const CODE_TRAITS: Readonly<
  Record<
    ErrorCode,
    {
      readonly transient: boolean;
      readonly retryable: boolean;
      readonly health: 'failure' | 'answered' | 'inconclusive';
      readonly local: boolean;
    }
  >
> = {
  VALIDATION: { transient: false, retryable: false, health: 'answered', local: false },
  CONTRACT: { transient: false, retryable: false, health: 'answered', local: false },
  AUTH: { transient: false, retryable: false, health: 'answered', local: false },
  NOT_FOUND: { transient: false, retryable: false, health: 'answered', local: false },
  REJECTED: { transient: false, retryable: false, health: 'answered', local: false },
  UPSTREAM_UNAVAILABLE: { transient: true, retryable: true, health: 'failure', local: false },
  RATE_LIMITED: { transient: true, retryable: true, health: 'failure', local: false },
  TIMEOUT: { transient: true, retryable: true, health: 'failure', local: false },
  NETWORK: { transient: true, retryable: true, health: 'failure', local: false },
  CIRCUIT_OPEN: { transient: true, retryable: false, health: 'inconclusive', local: true },
  BULKHEAD_FULL: { transient: true, retryable: false, health: 'inconclusive', local: true },
  ABORTED: { transient: false, retryable: false, health: 'inconclusive', local: false },
  NOT_SAVED: { transient: false, retryable: true, health: 'inconclusive', local: true },
};

/** The codes fallbacks apply to ({@link CODE_TRAITS} `transient`). */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(
  ERROR_CODES.filter((c) => CODE_TRAITS[c].transient),
);

/** What a counter officer reads, in Vietnamese. */
const USER_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION: 'Thông tin nhập vào không hợp lệ, vui lòng kiểm tra lại.',
  CONTRACT: 'Hệ thống trung ương trả về dữ liệu không đúng định dạng; đã ghi nhận để xử lý.',
  AUTH: 'Không xác thực được với hệ thống trung ương; vui lòng báo quản trị hệ thống.',
  NOT_FOUND: 'Không tìm thấy thông tin trên hệ thống trung ương.',
  REJECTED: 'Hệ thống trung ương từ chối yêu cầu.',
  UPSTREAM_UNAVAILABLE: 'Hệ thống trung ương đang gián đoạn, vui lòng thử lại sau.',
  RATE_LIMITED: 'Hệ thống trung ương đang quá tải, vui lòng thử lại sau.',
  TIMEOUT: 'Hệ thống trung ương phản hồi quá lâu, vui lòng thử lại sau.',
  NETWORK: 'Không kết nối được tới hệ thống trung ương, vui lòng thử lại sau.',
  CIRCUIT_OPEN: 'Hệ thống trung ương đang tạm ngưng kết nối do lỗi liên tiếp, vui lòng thử lại sau.',
  BULKHEAD_FULL: 'Có quá nhiều yêu cầu đang chờ, vui lòng thử lại sau ít phút.',
  ABORTED: 'Yêu cầu đã bị hủy.',
  // Said plainly: the officer must not believe the dossier is on its way.
  NOT_SAVED:
    'Hồ sơ CHƯA được lưu và CHƯA được gửi đi do lỗi lưu trữ của hệ thống. Vui lòng nộp lại hồ sơ với cùng mã hồ sơ.',
};

/** One failing field of an input or of a response, without the value itself. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `applicant.personalId`. */
  path: string;
  /** The rule it broke, e.g. `must be 12 digits`. Never contains the value. */
  message: string;
  /** A stable code a UI can translate (see {@link ISSUE_CODES}); absent on issues built by hand. */
  code?: IssueCode | undefined;
  /**
   * For `VALIDATION`: this field's problem in Vietnamese for counter staff, naming the field by its
   * label, e.g. "số định danh cá nhân phải gồm đúng 12 chữ số" or "chưa nhập họ và tên".
   */
  userMessage?: string | undefined;
}

/**
 * Stable issue codes of a `VALIDATION` (or `CONTRACT`) error: `required` (missing), `type` (wrong
 * type), `format` (pattern or value shape), `too_long`, `too_short`, `invalid_value` (not an allowed
 * value), `unknown_field`, `unreadable` (a getter or Proxy threw while reading it). Never renamed.
 */
export const ISSUE_CODES = [
  'required',
  'type',
  'format',
  'too_long',
  'too_short',
  'invalid_value',
  'unknown_field',
  'unreadable',
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number];

export interface GatewayErrorOptions {
  retryable?: boolean | undefined;
  upstream?: string | undefined;
  operation?: string | undefined;
  requestId?: string | undefined;
  attempts?: number | undefined;
  /** HTTP status, when the upstream answered. */
  status?: number | undefined;
  /** Milliseconds the upstream asked us to wait (`Retry-After`). */
  retryAfterMs?: number | undefined;
  /** The upstream's own error code (envelope), e.g. `99` or `SYSTEM_BUSY`. */
  upstreamCode?: string | undefined;
  issues?: FieldIssue[] | undefined;
  /** Replaces the code's default Vietnamese `userMessage` (e.g. naming the fields or the platform). */
  userMessage?: string | undefined;
  cause?: unknown;
}

const MARK = Symbol.for('vn-national-gateway.GatewayError');

/** The base class of every error this library throws. */
export class GatewayError extends Error {
  /** Stable code; switch on this, not on `message`. */
  readonly code: ErrorCode;
  /** Whether another attempt of the same call may succeed. */
  readonly retryable: boolean;
  /**
   * Vietnamese text for counter staff; names the platform (the adapter's `displayName`) once the
   * error leaves a call, e.g. "Hệ thống VNeID đang gián đoạn…".
   */
  userMessage: string;
  upstream: string | undefined;
  operation: string | undefined;
  requestId: string | undefined;
  attempts: number | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly upstreamCode: string | undefined;
  /** For `VALIDATION` and `CONTRACT`: the failing fields (paths and rules, never values). */
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.retryable = options.retryable ?? CODE_TRAITS[code].retryable;
    this.userMessage = options.userMessage ?? USER_MESSAGES[code];
    this.upstream = options.upstream;
    this.operation = options.operation;
    this.requestId = options.requestId;
    this.attempts = options.attempts;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.upstreamCode = options.upstreamCode;
    this.issues = options.issues;
    Object.defineProperty(this, MARK, { value: true });
  }

  /** A plain object for logs and JSON answers: code, context and issues; no cause, no stack. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      upstream: this.upstream,
      operation: this.operation,
      requestId: this.requestId,
      attempts: this.attempts,
      status: this.status,
      upstreamCode: this.upstreamCode,
      issues: this.issues,
    };
  }
}

/** The generic platform name of the default messages, replaced by an adapter's `displayName`. */
const GENERIC_PLATFORM = /([Hh])ệ thống trung ương/;

/**
 * Names the platform in a default `userMessage` (a message given explicitly is kept as is).
 * `displayName` is e.g. `Hệ thống VNeID`; its case follows the sentence.
 */
export function nameThePlatform(error: GatewayError, displayName: string | undefined): void {
  if (!displayName || error.userMessage !== USER_MESSAGES[error.code]) return;
  error.userMessage = namedMessage(error.code, displayName);
}

/** Every default message naming one platform, computed once per upstream (see {@link annotate}). */
export function platformMessages(displayName: string | undefined): Readonly<Record<ErrorCode, string>> {
  const messages = { ...USER_MESSAGES };
  if (displayName) for (const code of ERROR_CODES) messages[code] = namedMessage(code, displayName);
  return messages;
}

function namedMessage(code: ErrorCode, displayName: string): string {
  return USER_MESSAGES[code].replace(GENERIC_PLATFORM, (_m, h: string) =>
    h === 'H'
      ? displayName[0]!.toUpperCase() + displayName.slice(1)
      : displayName[0]!.toLowerCase() + displayName.slice(1),
  );
}

/**
 * True when `e` is a {@link GatewayError} (from any copy of this package), and, when `code` is
 * given, has that code.
 * @example if (isGatewayError(e, 'CIRCUIT_OPEN')) showBanner();
 */
export function isGatewayError(e: unknown, code?: ErrorCode): e is GatewayError {
  if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[MARK] !== true) return false;
  return code === undefined || (e as GatewayError).code === code;
}

/** Whether a failure with this code may be served by a fallback (stale read, queued write). */
export function isTransient(e: unknown): boolean {
  return isGatewayError(e) && CODE_TRAITS[e.code].transient;
}

/**
 * Every error leaving a call is a GatewayError that names its upstream, operation and request,
 * and, given the upstream's {@link platformMessages}, the platform in a default `userMessage`.
 */
export function annotate(
  e: unknown,
  upstream: string,
  operation: string,
  requestId: string,
  messages?: Readonly<Record<ErrorCode, string>>,
): GatewayError {
  const error = isGatewayError(e)
    ? e
    : new GatewayError(
        'CONTRACT',
        `Unexpected failure in the ${upstream} adapter (${(e as Error)?.name ?? 'error'})`,
        { retryable: false, cause: e },
      );
  error.upstream ??= upstream;
  if (messages && error.userMessage === USER_MESSAGES[error.code]) error.userMessage = messages[error.code];
  error.operation ??= operation;
  error.requestId ??= requestId;
  return error;
}
