/**
 * The OAuth2 client-credentials token endpoint (`POST /token`) and the store of issued tokens that
 * the platforms check `Authorization: Bearer` against.
 */

import { randomBytes } from 'node:crypto';
import type { MockCredentials, MockRequest, MockResponse } from '../types.js';

/** Issued tokens and the endpoint that issues them. */
export interface TokenService {
  /** Answers `POST /token`. */
  handle(req: MockRequest): MockResponse;
  /** `true` when the `Authorization` header carries a token that exists and has not expired. */
  isAuthorised(authorization: string | undefined): boolean;
  /** Expires every token issued so far (clients then get HTTP 401 and must fetch a new one). */
  expireAll(): void;
}

/** Options of {@link createTokenService}. */
export interface TokenServiceOptions {
  now: () => number;
  /** Lifetime of a token. */
  ttlSeconds: number;
  credentials: readonly MockCredentials[];
}

function oauthError(status: number, error: string, description: string): MockResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: { error, error_description: description },
  };
}

/** Creates a token service; tokens live in this instance only. */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const expiresAt = new Map<string, number>();

  return {
    handle(req) {
      if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'Use POST');
      const form = req.body;
      // RFC 6749 §4.4: the client-credentials request is form-urlencoded.
      if (!(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
        return oauthError(400, 'invalid_request', 'Body must be application/x-www-form-urlencoded');
      }
      if (!form || typeof form !== 'object') return oauthError(400, 'invalid_request', 'Empty body');
      const { grant_type, client_id, client_secret } = form as Record<string, unknown>;
      if (!grant_type || !client_id || !client_secret) {
        return oauthError(400, 'invalid_request', 'grant_type, client_id and client_secret are required');
      }
      if (grant_type !== 'client_credentials') {
        return oauthError(400, 'unsupported_grant_type', 'Only client_credentials is supported');
      }
      const known = options.credentials.some(
        (c) => c.clientId === client_id && c.clientSecret === client_secret,
      );
      if (!known) return oauthError(401, 'invalid_client', 'Unknown client or wrong secret');
      const token = randomBytes(24).toString('base64url');
      expiresAt.set(token, options.now() + options.ttlSeconds * 1000);
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: { access_token: token, token_type: 'Bearer', expires_in: options.ttlSeconds },
      };
    },

    isAuthorised(authorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!m) return false;
      const until = expiresAt.get(m[1]!);
      return until !== undefined && options.now() < until;
    },

    expireAll() {
      expiresAt.clear();
    },
  };
}
