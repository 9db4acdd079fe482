/** The types of request/response hooks (see `hooks.ts`); no run-time code, so any module may import them. */
import type { HttpMethod } from './types.js';

/** What `beforeRequest` sees of an attempt; it may add headers. */
export interface HookRequest {
  /** The upstream's name on the gateway, e.g. `vneid`. */
  readonly upstream: string;
  /** The call's `X-Road-Id`. */
  readonly requestId: string;
  readonly method: HttpMethod;
  /** Absolute URL, query string included. */
  readonly url: string;
  /**
   * The request's headers without `authorization`. Add new ones (lower-case names); changing or
   * removing one the gateway set is refused. Values follow the core's header rules (single line,
   * no NUL, at most 4096 characters).
   */
  headers: Record<string, string>;
  /** The body as it will be sent (JSON-serialised unless a string). Read only. */
  readonly body: unknown;
}

/** What `afterResponse` sees of a reply, before the envelope is read. */
export interface HookResponse {
  readonly upstream: string;
  readonly requestId: string;
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** Hooks of a gateway (all upstreams) or of one adapter; the gateway's run first. */
export interface GatewayHooks {
  /**
   * Runs before each attempt is sent; may add headers (e.g. a signature). A hook that throws (or
   * adds an unsafe header) fails the call with a non-retryable `VALIDATION` error: nothing is sent.
   */
  beforeRequest?: ((req: HookRequest) => void | Promise<void>) | undefined;
  /**
   * Runs on each reply (any status) before it is read. A hook that throws rejects the reply: the
   * call fails with a non-retryable `CONTRACT` error (the platform did answer: a write may have
   * been applied).
   */
  afterResponse?: ((res: HookResponse) => void | Promise<void>) | undefined;
}
