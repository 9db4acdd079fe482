import type {
  DecodeInfo,
  OperationSpec,
  OperationWire,
  WireInfo,
  WireProfile,
  WireReply,
} from '../adapter.js';
import { type FieldIssue, GatewayError } from '../errors.js';
import type { AuthProvider } from '../transport/auth.js';
import type { Transport } from '../transport/types.js';
import { parseRetryAfter } from './backoff.js';
import { checkReplyIdentity } from './identity.js';
import { isClientRefusal, missingClientError, noClientHint } from './missing-client.js';
import { safeCode } from './unknown-values.js';
import type { CallScope } from './step.js';
import { zodIssues } from './validation.js';

/** Everything one attempt needs to reach an upstream and read its answer. */
export interface AttemptTarget {
  /** The upstream's base URL without trailing slashes. */
  baseUrl: string;
  client: string | undefined;
  transport: Transport;
  auth: AuthProvider;
  profile: WireProfile;
  /** Wall clock (epoch ms), only to turn an HTTP-date `Retry-After` into a wait. */
  now(): number;
}

/** One operation as an attempt sees it: resolved once per upstream, not looked up per call. */
export interface AttemptOperation {
  spec: OperationSpec;
  wire: OperationWire<unknown>;
}

/**
 * One attempt (DESIGN.md steps 9–10): build the platform request, send it with auth and X-Road
 * headers (refreshing an expired token once on 401), map HTTP status and envelope to data or a
 * typed error, then check the data against the wire schema and the domain result against the
 * output schema.
 */
export async function runAttempt(
  target: AttemptTarget,
  op: AttemptOperation,
  signal: AbortSignal,
  call: CallScope,
): Promise<unknown> {
  const { input, info } = call;
  const { codec, name: profileName } = target.profile;
  const req = fromProfile(profileName, 'request', () => op.wire.request(input as never, info));
  const url = buildUrl(target.baseUrl, req.path, req.query);
  let body = req.body;
  // One headers object per attempt: ours, the profile's, X-Road's, then auth (replaced on a refresh).
  let headers: Record<string, string> = { accept: codec ? codec.accept : 'application/json' };
  if (body !== undefined) {
    headers['content-type'] = codec ? codec.contentType : 'application/json';
    if (codec) body = fromProfile(profileName, 'request', () => codec.encode(body));
  }
  if (req.headers) for (const name in req.headers) headers[name] = req.headers[name] as string;
  setXRoadHeaders(headers, target.client, info, op.spec.kind === 'write');
  assertHeaderValues(headers);

  let reply: WireReply | undefined;
  for (let authTry = 0; authTry < 2; authTry++) {
    const auth = await target.auth.headers(signal);
    assertAuthHeaders(auth);
    for (const name in auth) headers[name] = auth[name] as string;
    reply = await target.transport.request({ method: req.method, url, headers, body, signal });
    if (reply.status !== 401) break;
    if (!target.auth.refreshable || authTry === 1) {
      if (!target.client) throw missingClientError(401);
      throw new GatewayError('AUTH', 'The upstream refused our credentials (HTTP 401)', {
        status: 401,
        retryable: false,
      });
    }
    target.auth.invalidate();
    // A new object for the retry: the refused request's headers stay as they were sent.
    headers = { ...headers };
    for (const name in auth) delete headers[name];
  }
  const decodeInfo: DecodeInfo = {
    requestId: info.requestId,
    context: info.context,
    unknownValue: call.unknownValue,
  };
  return readReply(target, op, reply as WireReply, decodeInfo, input);
}

function readReply(
  target: AttemptTarget,
  op: AttemptOperation,
  reply: WireReply,
  info: DecodeInfo,
  input: unknown,
): unknown {
  const { status } = reply;
  // An echoed request id that is not ours is another call's answer: never read it as ours.
  const echoed = reply.headers['x-road-id'];
  if (echoed !== undefined && echoed !== info.requestId)
    throw contractError("The reply carries another request's X-Road-Id", [
      { path: 'headers.x-road-id', message: 'differs from the request id we sent', code: 'invalid_value' },
    ]);
  // Redirects are not followed, 1xx is not a final answer and a status past 599 is not HTTP:
  // a body there is never the answer (and a 999 must not pass for a passing 5xx).
  if (status < 200 || (status >= 300 && status < 400) || status > 599) {
    throw new GatewayError(
      'CONTRACT',
      `The upstream answered HTTP ${status}, which is not an answer (redirects are not followed)`,
      { status, retryable: false },
    );
  }
  const retryAfterMs = parseRetryAfter(reply.headers['retry-after'], target.now(), reply.headers.date);
  if (status === 429) {
    throw new GatewayError('RATE_LIMITED', 'The upstream is rate limiting us (HTTP 429)', {
      status,
      retryAfterMs,
    });
  }
  // 500 is a fault of the platform that a retry rarely fixes; 502/503/504 are passing.
  const serverError =
    status >= 500
      ? new GatewayError('UPSTREAM_UNAVAILABLE', `The upstream answered HTTP ${status}`, {
          status,
          retryAfterMs,
          retryable: status !== 500,
        })
      : undefined;
  if (serverError && !target.profile.codec?.readsServerErrors?.includes(status)) throw serverError;

  let envelope: ReturnType<WireProfile['envelope']>;
  try {
    envelope = target.profile.envelope(reply);
  } catch {
    if (serverError) throw serverError;
    if (!target.client && isClientRefusal(status)) throw missingClientError(status);
    throw (
      statusError(status) ??
      (status >= 400
        ? new GatewayError(
            'REJECTED',
            `The upstream refused the request (HTTP ${status}) without an envelope`,
            {
              status,
              retryable: false,
            },
          )
        : contractError(`The reply (HTTP ${status}) is not a ${target.profile.name} envelope`, []))
    );
  }
  if (serverError && envelope.ok)
    throw contractError(`The upstream answered HTTP ${status} with data instead of a fault`, []);
  if (!envelope.ok) {
    if (!target.client && isClientRefusal(status, envelope.code))
      throw missingClientError(status, envelope.upstreamCode);
    // The platform's free text may quote personal data: keep only its code, and only if code-shaped.
    const upstreamCode = safeCode(envelope.upstreamCode);
    const hint = noClientHint(target.client, envelope.code);
    throw new GatewayError(
      envelope.code,
      `The upstream answered ${envelope.code} (code ${upstreamCode})${hint}`,
      {
        status,
        upstreamCode,
        retryAfterMs,
      },
    );
  }

  const { wire, spec } = op;
  const data = wire.data.safeParse(envelope.data);
  if (!data.success)
    throw contractError('The reply data does not match the platform contract', zodIssues(data.error));
  // Before decoding: a reply about someone else is no answer, whatever its envelope says.
  fromProfile(target.profile.name, 'check the identity of the reply', () =>
    checkReplyIdentity(wire.identity, input, data.data),
  );
  const decoded = fromProfile(target.profile.name, 'decode', () =>
    wire.decode(data.data as never, info, input as never),
  );
  const domain = spec.output.safeParse(decoded);
  if (!domain.success)
    throw contractError('The decoded reply does not match the operation output', zodIssues(domain.error));
  return domain.data;
}

/** A profile function that throws is a mapping the platform's contract did not foresee: `CONTRACT`. */
function fromProfile<T>(
  profile: string,
  step: 'request' | 'decode' | 'check the identity of the reply',
  fn: () => T,
): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw new GatewayError(
      'CONTRACT',
      `The ${profile} profile failed to ${step} (${(e as Error)?.name ?? 'error'})`,
      {
        retryable: false,
        cause: e,
      },
    );
  }
}

function statusError(status: number): GatewayError | undefined {
  if (status === 404) return new GatewayError('NOT_FOUND', 'The upstream answered HTTP 404', { status });
  if (status === 403) return new GatewayError('AUTH', 'The upstream refused access (HTTP 403)', { status });
  return undefined;
}

function contractError(message: string, issues: FieldIssue[]): GatewayError {
  return new GatewayError('CONTRACT', message, { issues, retryable: false });
}

const UNSAFE_IN_HEADER = /[\r\n\0]/;

/** Longest header value sent; longer is refused before sending (servers cap header lines at ~8 KB). */
export const MAX_HEADER_VALUE = 4096;

/**
 * Header values are checked here, in the core, for every transport (axios strips CR/LF, a custom
 * transport may not): no CR, LF or NUL, bounded length. A violation is `VALIDATION` naming the
 * header, never its value; nothing is sent.
 */
export function assertHeaderValues(headers: Record<string, string>): void {
  for (const name in headers) {
    const value = headers[name];
    if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE || UNSAFE_IN_HEADER.test(value)) {
      throw new GatewayError(
        'VALIDATION',
        `Header ${name} is not a safe header value (CR, LF, NUL or too long)`,
        {
          retryable: false,
          issues: [
            {
              path: `headers.${name}`,
              message: 'must be a single line without NUL, at most 4096 characters',
              code: 'format',
            },
          ],
        },
      );
    }
  }
}

/**
 * Credentials that cannot be a header (a token endpoint issued one with CR/LF, or megabytes long)
 * are the token endpoint's or the configuration's fault, not the caller's input: `AUTH`, nothing sent.
 */
function assertAuthHeaders(headers: Record<string, string>): void {
  try {
    assertHeaderValues(headers);
  } catch {
    throw new GatewayError(
      'AUTH',
      'The credentials (an issued token or a configured key) are not a safe header value',
      {
        retryable: false,
      },
    );
  }
}

/** Sets the X-Road-style headers of the assumed contract on `h`. */
function setXRoadHeaders(
  h: Record<string, string>,
  client: string | undefined,
  info: WireInfo,
  write: boolean,
): void {
  h['x-road-id'] = info.requestId;
  if (client) h['x-road-client'] = client;
  if (info.context.actor) h['x-road-userid'] = `VN${info.context.actor}`;
  if (info.context.dossierCode) h['x-road-issue'] = info.context.dossierCode;
  if (write && info.context.idempotencyKey) h['idempotency-key'] = info.context.idempotencyKey;
}

/** The request URL: `baseUrl` (without trailing slashes, see {@link AttemptTarget}) + path + query. */
export function buildUrl(
  baseUrl: string,
  path: string,
  query?: Record<string, string | number | undefined>,
): string {
  const url = new URL(baseUrl + path);
  if (query) for (const k in query) if (query[k] !== undefined) url.searchParams.set(k, String(query[k]));
  return url.toString();
}
