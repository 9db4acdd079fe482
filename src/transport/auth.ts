import type { Clock } from '../clock.js';
import { GatewayError, isGatewayError } from '../errors.js';
import { raceAbort } from '../pipeline/abort.js';
import { ConfigurationError } from '../policy.js';
import type { Transport } from './types.js';
import { checkOptionKeys, type OptionKeys } from '../option-keys.js';

/** How an adapter authenticates to its platform. */
export type AuthOptions =
  /** A fixed bearer token. */
  | { type: 'bearer'; token: string }
  /** An API key sent in a header of your choice. */
  | { type: 'apiKey'; header: string; key: string }
  /**
   * OAuth2 client credentials (LGSP/NDXP): `POST tokenUrl` form-encoded, cached until shortly
   * before `expires_in`, one fetch in flight for all callers, refreshed once on a 401.
   */
  | {
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string | undefined;
      /** Refresh this long before expiry. @default 60000 */
      refreshBeforeMs?: number | undefined;
    }
  /** No credentials (a platform behind a trusted network gateway). */
  | { type: 'none' };

/** Supplies credentials to each attempt. */
export interface AuthProvider {
  /** Headers to add to a request; may fetch a token. */
  headers(signal: AbortSignal): Promise<Record<string, string>>;
  /** Whether a 401 is worth one more try with fresh credentials. */
  readonly refreshable: boolean;
  /** Forgets a rejected token so the next `headers()` fetches a new one. */
  invalidate(): void;
}

/** Time allowed for one token fetch. */
const TOKEN_TIMEOUT_MS = 10_000;

type AuthOf<T extends AuthOptions['type']> = Extract<AuthOptions, { type: T }>;

/** The keys of each auth type: a misspelt one (`clientID`) would otherwise send no credentials. */
const AUTH_KEYS: { readonly [T in AuthOptions['type']]: OptionKeys<AuthOf<T>> } = {
  bearer: { type: true, token: true },
  apiKey: { type: true, header: true, key: true },
  oauth2: {
    type: true,
    tokenUrl: true,
    clientId: true,
    clientSecret: true,
    scope: true,
    refreshBeforeMs: true,
  },
  none: { type: true },
};

/** Checks auth options; throws {@link ConfigurationError} naming the problem (never the secret). */
export function validateAuth(auth: unknown, where: string): asserts auth is AuthOptions {
  const a = auth as Record<string, unknown> | undefined;
  const fail = (why: string) => {
    throw new ConfigurationError(`Invalid configuration of ${where}: auth ${why}`);
  };
  if (!a || typeof a !== 'object')
    return fail('is required ({ type: "bearer" | "apiKey" | "oauth2" | "none", … })');
  const nonEmpty = (k: string) => typeof a[k] === 'string' && (a[k] as string).length > 0;
  if (typeof a.type === 'string' && Object.hasOwn(AUTH_KEYS, a.type))
    checkOptionKeys(`${where} auth (type "${a.type}")`, a, AUTH_KEYS[a.type as AuthOptions['type']]);
  switch (a.type) {
    case 'bearer':
      if (!nonEmpty('token')) fail('type "bearer" needs a non-empty token');
      return;
    case 'apiKey':
      if (!nonEmpty('header') || !nonEmpty('key')) fail('type "apiKey" needs a header name and a key');
      return;
    case 'oauth2':
      if (!nonEmpty('clientId') || !nonEmpty('clientSecret'))
        fail('type "oauth2" needs clientId and clientSecret');
      if (!nonEmpty('tokenUrl') || !/^https?:\/\//.test(a.tokenUrl as string))
        fail('type "oauth2" needs an http(s) tokenUrl');
      return;
    case 'none':
      return;
    default:
      fail(
        `type must be one of "bearer", "apiKey", "oauth2", "none" (got ${JSON.stringify(String(a.type))})`,
      );
  }
}

/** Builds the provider of one adapter; its token cache lives in the gateway instance. */
export function createAuthProvider(auth: AuthOptions, transport: Transport, clock: Clock): AuthProvider {
  switch (auth.type) {
    case 'bearer':
      return {
        headers: async () => ({ authorization: `Bearer ${auth.token}` }),
        refreshable: false,
        invalidate() {},
      };
    case 'apiKey':
      return {
        headers: async () => ({ [auth.header.toLowerCase()]: auth.key }),
        refreshable: false,
        invalidate() {},
      };
    case 'none':
      return { headers: async () => ({}), refreshable: false, invalidate() {} };
    case 'oauth2':
      return new OAuth2ClientCredentials(auth, transport, clock);
  }
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

class OAuth2ClientCredentials implements AuthProvider {
  readonly refreshable = true;
  private token: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;

  constructor(
    private readonly auth: Extract<AuthOptions, { type: 'oauth2' }>,
    private readonly transport: Transport,
    private readonly clock: Clock,
  ) {}

  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    let token = this.token;
    if (!token || this.clock.monotonic() >= token.refreshAt) {
      // Every caller waits on the same fetch; each may still give up on its own signal.
      this.inFlight ??= this.fetchToken().finally(() => {
        this.inFlight = undefined;
      });
      token = await raceAbort(this.inFlight, signal);
    }
    return { authorization: `Bearer ${token.value}` };
  }

  invalidate(): void {
    this.token = undefined;
  }

  private async fetchToken(): Promise<CachedToken> {
    const controller = new AbortController();
    const timer = this.clock.setTimeout(
      () =>
        controller.abort(new GatewayError('TIMEOUT', `Token request timed out after ${TOKEN_TIMEOUT_MS} ms`)),
      TOKEN_TIMEOUT_MS,
    );
    try {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.auth.clientId,
        client_secret: this.auth.clientSecret,
      });
      if (this.auth.scope) form.set('scope', this.auth.scope);
      const res = await this.transport.request({
        method: 'POST',
        url: this.auth.tokenUrl,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: controller.signal,
      });
      if (res.status >= 500 || res.status === 429) {
        throw new GatewayError('UPSTREAM_UNAVAILABLE', `Token endpoint answered HTTP ${res.status}`, {
          status: res.status,
        });
      }
      const body = res.body as { access_token?: unknown; expires_in?: unknown } | undefined;
      if (res.status !== 200 || typeof body?.access_token !== 'string') {
        throw new GatewayError('AUTH', `Token endpoint refused the client credentials (HTTP ${res.status})`, {
          status: res.status,
          retryable: false,
        });
      }
      const expiresInMs = (typeof body.expires_in === 'number' ? body.expires_in : 300) * 1000;
      const before = Math.min(this.auth.refreshBeforeMs ?? 60_000, expiresInMs / 2);
      const token = { value: body.access_token, refreshAt: this.clock.monotonic() + expiresInMs - before };
      this.token = token;
      return token;
    } catch (e) {
      if (isGatewayError(e)) throw e;
      throw new GatewayError('AUTH', 'Token request failed', { retryable: false });
    } finally {
      this.clock.clearTimeout(timer);
    }
  }
}
