/**
 * Shapes shared by the mock platforms' pure model, fault layer, HTTP server and nock helper.
 * Plain data only, so the same model answers over a socket and through nock.
 */

/** The three mocked national platforms. */
export type MockUpstream = 'vneid' | 'land' | 'tax';

/** Every mocked endpoint group: the three platforms plus the shared OAuth2 token endpoint. */
export type MockTarget = MockUpstream | 'token';

/** A request as the pure model sees it, independent of the transport. */
export interface MockRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Path without the query string, for example `/land/v1/thua-dat`. */
  path: string;
  /** Query parameters (first value of each). */
  query: Readonly<Record<string, string>>;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  /** Parsed body: JSON value, form fields as an object, raw text, or `undefined`. */
  body: unknown;
}

/** A response from the pure model. */
export interface MockResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON value, or a string sent as is. */
  body: unknown;
  /** Not sent: `true` when an idempotent write answered from its first result. */
  replayed?: boolean | undefined;
}

/** Client credentials accepted by the mock token endpoint. */
export interface MockCredentials {
  clientId: string;
  clientSecret: string;
}

/** What happened to a recorded request. */
export type RequestOutcome = 'answered' | 'http503' | 'busy' | 'rateLimited' | 'reset' | 'hang';

/** One request as the mock saw it (see `requests(upstream)`). */
export interface RecordedRequest {
  target: MockTarget;
  method: string;
  path: string;
  query: Readonly<Record<string, string>>;
  /** Lower-case names; `authorization` is redacted to `Bearer [REDACTED]`. */
  headers: Readonly<Record<string, string>>;
  /** Parsed body; a token request's `client_secret` is redacted. */
  body: unknown;
  /** Arrival time on the mock's clock (ms since the epoch). */
  time: number;
  /** `true` when an idempotent write was answered from its first result. */
  replayed: boolean;
  /** HTTP status sent, `undefined` for `hang` and `reset`. */
  status: number | undefined;
  outcome: RequestOutcome;
}

/** A write the platform processed once (replays of the same `Idempotency-Key` are not added). */
export interface Registration {
  upstream: MockUpstream;
  idempotencyKey: string;
  /** `maBienNhan` (land) or `maHoSoThue` (tax). */
  receiptId: string;
  body: unknown;
  /** Processing time on the mock's clock (ms since the epoch). */
  time: number;
}
