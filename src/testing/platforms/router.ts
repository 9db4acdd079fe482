/**
 * The checks every platform makes before its own logic, in one place: route, bearer token,
 * X-Road headers, `Idempotency-Key` replay, input validation; then the envelope around the answer.
 */

import type { z } from 'zod';
import type { MockRequest, MockResponse, MockUpstream, Registration } from '../types.js';
import type { IdempotencyStore } from './idempotency.js';
import type { TokenService } from './tokens.js';
import { type FailureKind, isUuid, jsonResponse, type PlatformEnvelope } from './wire.js';

/** What a route's logic decides: a payload (with a receipt id for writes) or a failure. */
export type RouteResult = { ok: unknown; receiptId?: string } | { fail: FailureKind; message: string };

/** What a route's logic receives once every check passed. */
export interface RouteContext<I> {
  req: MockRequest;
  /** The path pattern's capture groups, URI-decoded. */
  params: string[];
  /** The validated body (writes) or query (reads). */
  input: I;
  /** The request's `X-Road-Id`. */
  requestId: string;
}

/** One endpoint of a platform. */
export interface Route<I = unknown> {
  method: 'GET' | 'POST';
  /** Matched against the whole path. */
  path: RegExp;
  /** Touches a citizen's data: `X-Road-UserId` (who) is required. */
  citizenData?: boolean;
  /** A write: `Idempotency-Key` is required and the first answer is replayed. */
  write?: boolean;
  /** Validates the body (POST) or the query (GET). */
  input?: z.ZodType<I>;
  /**
   * For the `lie` fault: the same request about someone else (another citizen, parcel…), or
   * `undefined` when there is no one else to answer about. Reads only.
   */
  elsewhere?(req: MockRequest): MockRequest | undefined;
  run(ctx: RouteContext<I>): RouteResult;
}

/** A platform as the router needs it. */
export interface PlatformDefinition {
  upstream: MockUpstream;
  envelope: PlatformEnvelope;
  routes: readonly Route[];
}

/** State the router reads and writes. */
export interface RouterDeps {
  tokens: TokenService;
  store: IdempotencyStore;
  now: () => number;
}

/** Erases a route's input type so routes of different inputs share one list. */
export function defineRoute<I>(route: Route<I>): Route {
  return route as Route;
}

function headerProblem(req: MockRequest, route: Route): string | undefined {
  const h = req.headers;
  if (!isUuid(h['x-road-id'])) return 'Tiêu đề X-Road-Id phải là một UUID';
  // CONTRACT.md: `X-Road-UserId: VN<actor>` on calls that touch a citizen's data (Law 91/2025).
  if (route.citizenData && !/^VN\S+$/.test(h['x-road-userid'] ?? '')) {
    return 'Thiếu hoặc sai tiêu đề X-Road-UserId (VN<mã cán bộ>)';
  }
  if (route.write && !h['idempotency-key']?.trim()) return 'Thiếu tiêu đề Idempotency-Key cho yêu cầu ghi';
  return undefined;
}

function decodeParams(match: RegExpExecArray | null): string[] | undefined {
  try {
    return (match ?? []).slice(1).map((p) => decodeURIComponent(p ?? ''));
  } catch {
    return undefined; // malformed percent-encoding
  }
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => i.path.join('.') || '(body)').join(', ');
}

/**
 * The platform's refusal of a request that names no calling system: HTTP 400 with the platform's
 * own invalid-request code and a reason naming the header (CONTRACT.md), as a real exchange answers
 * before the platform's logic, token check included, ever runs.
 */
export const MISSING_CLIENT_REASON = 'Thiếu tiêu đề X-Road-Client (missing X-Road-Client)';

/** Builds the request handler of one platform. */
export function createPlatformHandler(
  def: PlatformDefinition,
  deps: RouterDeps,
): (req: MockRequest, lie?: boolean) => MockResponse {
  const { envelope } = def;

  return (asked, lie) => {
    let req = asked;
    const requestId = isUuid(req.headers['x-road-id']) ? req.headers['x-road-id'] : undefined;
    const answer = (r: { status: number; body: unknown }) => jsonResponse(r.status, r.body, requestId);

    const byPath = def.routes.filter((r) => r.path.test(req.path));
    if (byPath.length === 0) return jsonResponse(404, { error: 'Not Found', path: req.path });
    const route = byPath.find((r) => r.method === req.method);
    if (!route) {
      const res = jsonResponse(405, { error: 'Method Not Allowed' });
      res.headers.allow = byPath.map((r) => r.method).join(', ');
      return res;
    }
    // The lie: everything below (checks, logic, envelope, X-Road-Id echo) runs as for the request
    // about someone else, so the answer is well-formed and about the wrong subject.
    if (lie && route.elsewhere && !route.write) req = route.elsewhere(req) ?? req;

    if (!req.headers['x-road-client']?.trim())
      return answer({ ...envelope.fail('invalid', MISSING_CLIENT_REASON), status: 400 });
    if (!deps.tokens.isAuthorised(req.headers.authorization)) {
      const res = answer(envelope.fail('unauthorised', 'Token truy cập không hợp lệ hoặc đã hết hạn'));
      res.headers['www-authenticate'] = 'Bearer error="invalid_token"';
      return res;
    }
    const problem = headerProblem(req, route);
    if (problem) return answer(envelope.fail('invalid', problem));

    const key = route.write ? req.headers['idempotency-key']! : undefined;
    if (key !== undefined) {
      const first = deps.store.get(key);
      // The first answer, byte for byte, but with this request's X-Road-Id echoed.
      if (first) return { ...answer({ status: first.status, body: first.body }), replayed: true };
    }

    const parsed = route.input?.safeParse(req.method === 'GET' ? req.query : req.body);
    if (parsed && !parsed.success) {
      return answer(envelope.fail('invalid', `Dữ liệu không hợp lệ: ${issuesText(parsed.error)}`));
    }
    const params = decodeParams(route.path.exec(req.path));
    if (!params) return answer(envelope.fail('invalid', 'Đường dẫn không hợp lệ'));
    const result = route.run({ req, params, input: parsed?.data, requestId: requestId! });
    if ('fail' in result) return answer(envelope.fail(result.fail, result.message));

    const response = answer(envelope.ok(result.ok));
    if (key !== undefined && result.receiptId !== undefined) {
      deps.store.remember(key, response, {
        idempotencyKey: key,
        receiptId: result.receiptId,
        body: req.body,
        time: deps.now(),
      });
    }
    return response;
  };
}

/** One platform of the pure model. */
export interface PlatformModel {
  readonly upstream: MockUpstream;
  /** Answers a request under the platform's prefix; with `lie`, a read about someone else. */
  handle(req: MockRequest, lie?: boolean): MockResponse;
  /** The platform's own busy answer (sent with HTTP 200), for the fault layer. */
  busy(req: MockRequest): MockResponse;
  /** Distinct processed writes. */
  registrations(): readonly Registration[];
  /** Forgets idempotency keys and registrations. */
  reset(): void;
}

/**
 * The one after `isAsked` in `list` (wrapping round), for the `lie` fault: someone else than asked.
 * `undefined` when the list has no one else.
 */
export function someoneElse<T>(list: readonly T[], isAsked: (item: T) => boolean): T | undefined {
  const i = list.findIndex(isAsked);
  if (list.length === 0 || (i >= 0 && list.length === 1)) return undefined;
  return list[(i + 1) % list.length];
}

/** The last path segment, URI-decoded (`undefined` when malformed). */
export function lastSegment(req: MockRequest): string | undefined {
  try {
    return decodeURIComponent(req.path.slice(req.path.lastIndexOf('/') + 1));
  } catch {
    return undefined;
  }
}

/** `req` with its last path segment replaced by `segment` (encoded); `undefined` without one. */
export function withLastSegment(req: MockRequest, segment: string | undefined): MockRequest | undefined {
  if (segment === undefined) return undefined;
  return { ...req, path: req.path.slice(0, req.path.lastIndexOf('/') + 1) + encodeURIComponent(segment) };
}

/** Wraps a platform definition into a {@link PlatformModel}. */
export function assemblePlatform(def: PlatformDefinition, deps: RouterDeps): PlatformModel {
  const handle = createPlatformHandler(def, deps);
  return {
    upstream: def.upstream,
    handle,
    busy(req) {
      const id = req.headers['x-road-id'];
      const { status, body } = def.envelope.fail('busy', 'Hệ thống đang bận, vui lòng thử lại sau');
      return jsonResponse(status, body, isUuid(id) ? id : undefined);
    },
    registrations: () => deps.store.registrations(),
    reset: () => deps.store.clear(),
  };
}
