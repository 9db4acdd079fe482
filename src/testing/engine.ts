/**
 * The transport-independent core of the mock platforms: the pure model, the fault layer and the
 * request log, behind one `dispatch`. The HTTP server and the nock helper are thin shells around
 * it, so both answer the same request the same way.
 */

import { applyDrift } from './drift.js';
import { createFaultController, type Fault } from './faults.js';
import { fixtures as defaultFixtures, type MockFixtures } from './fixtures.js';
import { createPlatformModel } from './platforms/model.js';
import { type ScenarioName, scenarios } from './scenarios.js';
import type {
  MockCredentials,
  MockRequest,
  MockResponse,
  MockTarget,
  MockUpstream,
  RecordedRequest,
  Registration,
  RequestOutcome,
} from './types.js';

/** The default client credentials of the mock token endpoint. */
export const MOCK_CREDENTIALS: Readonly<MockCredentials> = Object.freeze({
  clientId: 'hcmc-tthc',
  clientSecret: 'mock-secret',
});

/** Options shared by `startMockPlatforms` and `mockPlatformsWithNock`. */
export interface MockOptions {
  /** Faults per platform (or `token`), applied after `scenario`. Default none. */
  faults?: Partial<Record<MockTarget, Fault>> | undefined;
  /** A named scenario to start with. Default `'healthy'`. */
  scenario?: ScenarioName | undefined;
  /** Seed of every random fault draw. Default 1. */
  seed?: number | undefined;
  /** Lifetime of issued tokens in seconds. Default 3600. */
  tokenTtlSeconds?: number | undefined;
  /** Accepted client credentials. Default {@link MOCK_CREDENTIALS}. */
  credentials?: MockCredentials | readonly MockCredentials[] | undefined;
  /** The mock's clock: token expiry, fault windows, record times. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** The data the platforms answer from. Default `fixtures`. */
  fixtures?: MockFixtures | undefined;
}

/** Run-time control of the mock platforms, the same over HTTP and nock. */
export interface MockPlatformsControl {
  /** Sets a platform's fault, or clears it with `undefined`; windows and random streams restart. */
  setFault(target: MockTarget, fault: Fault | undefined): void;
  /** Replaces every platform's fault with a named scenario's. */
  setScenario(name: ScenarioName): void;
  /** Requests seen (all targets when omitted), oldest first; `Authorization` redacted. */
  requests(target?: MockTarget): readonly RecordedRequest[];
  /** Distinct writes the platform processed (idempotent replays are not counted). */
  registrations(upstream: MockUpstream): readonly Registration[];
  /** Clears faults, request records, idempotency keys and registrations. Tokens stay valid. */
  reset(): void;
  /** Expires every issued token: the next call with one gets HTTP 401. */
  expireTokens(): void;
}

/** The engine's controls alone, for a mock to hand its user (without `dispatch` and `fault`). */
export function controlsOf(engine: MockEngine): MockPlatformsControl {
  const { setFault, setScenario, requests, registrations, reset, expireTokens } = engine;
  return { setFault, setScenario, requests, registrations, reset, expireTokens };
}

/** What the transport must do with a request. */
export type Dispatch =
  | { type: 'respond'; response: MockResponse; delayMs: number }
  | { type: 'reset'; delayMs: number }
  | { type: 'hang' };

/** The core: control plus `dispatch`. */
export interface MockEngine extends MockPlatformsControl {
  dispatch(req: MockRequest): Dispatch;
  /** A target's current fault (a copy), `undefined` when healthy. */
  fault(target: MockTarget): Fault | undefined;
}

/** A request as a transport received it, before normalisation. */
export interface RawRequest {
  method: string;
  /** Path with query string. */
  url: string;
  headers: Record<string, string | string[] | number | undefined>;
  /** Raw text, or a body a transport already parsed (nock parses JSON). */
  body: unknown;
}

/** Parses a raw body: JSON, form fields as an object, other text as is, empty as `undefined`. */
function parseBody(contentType: string, body: unknown): unknown {
  if (typeof body !== 'string') return body;
  if (body === '') return undefined;
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(body));
  }
  if (contentType.includes('json')) {
    try {
      return JSON.parse(body);
    } catch {
      return body; // left as text so body validation reports an invalid request
    }
  }
  return body;
}

/** Normalises a transport's request for the model: lower-case headers, path and query split. */
export function toMockRequest(raw: RawRequest): MockRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.headers)) {
    if (value !== undefined)
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const url = new URL(raw.url, 'http://mock.invalid');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
  return {
    method: raw.method.toUpperCase(),
    path: url.pathname,
    query,
    headers,
    body: parseBody(headers['content-type'] ?? '', raw.body),
  };
}

function redacted(req: MockRequest): Pick<RecordedRequest, 'headers' | 'body'> {
  const headers = { ...req.headers };
  if (headers.authorization) headers.authorization = headers.authorization.replace(/\s+\S+$/, ' [REDACTED]');
  let body = structuredClone(req.body);
  if (body && typeof body === 'object' && 'client_secret' in body) {
    body = { ...(body as object), client_secret: '[REDACTED]' };
  }
  return { headers, body };
}

function serviceUnavailable(): MockResponse {
  // What a reverse proxy in front of a dead platform sends: HTML, not the platform's envelope.
  return {
    status: 503,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: '<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
  };
}

function tooManyRequests(retryAfter: string, now: number): MockResponse {
  return {
    status: 429,
    // A `Date` on the mock's clock, as a real server sends: an HTTP-date Retry-After is read against it.
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': retryAfter,
      date: new Date(now).toUTCString(),
    },
    body: { error: 'Too Many Requests', message: 'Vượt quá hạn mức gọi dịch vụ, vui lòng thử lại sau' },
  };
}

const TARGETS: readonly MockTarget[] = ['vneid', 'land', 'tax', 'token'];

/** Creates an engine with fresh state. */
export function createMockEngine(options: MockOptions = {}): MockEngine {
  const now = options.now ?? Date.now;
  const credentials = options.credentials ?? MOCK_CREDENTIALS;
  const model = createPlatformModel({
    fixtures: options.fixtures ?? defaultFixtures,
    now,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    credentials: Array.isArray(credentials) ? credentials : [credentials as MockCredentials],
  });
  const faults = createFaultController({ seed: options.seed ?? 1, now });
  const log: RecordedRequest[] = [];

  const setScenario = (name: ScenarioName) => {
    const scenario = scenarios[name];
    if (!scenario) throw new TypeError(`Unknown scenario: ${name}`);
    faults.clear();
    for (const [upstream, fault] of Object.entries(scenario)) faults.set(upstream as MockUpstream, fault);
  };
  setScenario(options.scenario ?? 'healthy');
  for (const [target, fault] of Object.entries(options.faults ?? {})) faults.set(target as MockTarget, fault);

  const record = (
    target: MockTarget,
    req: MockRequest,
    outcome: RequestOutcome,
    response: MockResponse | undefined,
  ) => {
    log.push({
      target,
      method: req.method,
      path: req.path,
      query: { ...req.query },
      ...redacted(req),
      time: now(),
      replayed: response?.replayed === true,
      status: response?.status,
      outcome,
    });
  };

  return {
    dispatch(req) {
      const target = model.targetOf(req.path);
      if (target === undefined) return { type: 'respond', response: model.handle(req), delayMs: 0 };
      const decision = faults.decide(target);
      switch (decision.action) {
        case 'hang':
          record(target, req, 'hang', undefined);
          return { type: 'hang' };
        case 'reset':
          record(target, req, 'reset', undefined);
          return { type: 'reset', delayMs: decision.delayMs };
        case 'fail': {
          const response = decision.kind === 'busy' ? model.busy(target, req) : serviceUnavailable();
          record(target, req, decision.kind, response);
          return { type: 'respond', response, delayMs: decision.delayMs };
        }
        case 'rateLimit': {
          const response = tooManyRequests(decision.retryAfter, now());
          record(target, req, 'rateLimited', response);
          return { type: 'respond', response, delayMs: decision.delayMs };
        }
        case 'pass': {
          const answered = model.handle(req, decision.lie === true);
          record(target, req, 'answered', answered);
          const { replayed: _, ...wire } = decision.drift ? applyDrift(target, answered) : answered;
          return { type: 'respond', response: wire, delayMs: decision.delayMs };
        }
      }
    },
    setFault(target, fault) {
      if (!TARGETS.includes(target)) throw new TypeError(`Unknown mock target: ${String(target)}`);
      faults.set(target, fault);
    },
    setScenario,
    fault: (target) => faults.get(target),
    requests: (target) => structuredClone(target ? log.filter((r) => r.target === target) : log),
    registrations: (upstream) => model.registrations(upstream),
    reset() {
      faults.clear();
      log.length = 0;
      model.reset();
    },
    expireTokens: () => model.expireTokens(),
  };
}
