/**
 * Forgetting `client` (issue 11): without `X-Road-Client` a real exchange refuses the call (HTTP 400
 * and the platform's invalid-request code, CONTRACT.md). That refusal is our configuration's fault,
 * not a platform contract change, so it is `AUTH` (an administrator must act; not retried, no
 * fallback, no `contract:violation` alarm) with a message that names the cause. The platform's own
 * reason is free text that may quote personal data: only its code-shaped code is kept.
 */
import type { ErrorCode } from '../errors.js';
import { GatewayError } from '../errors.js';
import { safeCode } from './unknown-values.js';

/** Gateway codes a platform's refusal of a client-less call can map to (an invalid request, a refusal). */
const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['CONTRACT', 'REJECTED', 'AUTH']);

/**
 * Whether a reply to a call sent without `X-Road-Client` is the exchange refusing it: any 4xx but
 * 404 (the platform looked and found nothing) and 429 (rate limit), or an envelope failure read as
 * an invalid or refused request.
 */
export function isClientRefusal(status: number, envelopeCode?: ErrorCode): boolean {
  if (envelopeCode !== undefined && !REFUSALS.has(envelopeCode)) return false;
  if (status >= 400 && status < 500) return status !== 404 && status !== 429;
  return envelopeCode !== undefined;
}

/** The typed error of a refused client-less call; `upstreamCode` is kept only if code-shaped. */
export function missingClientError(status: number, upstreamCode?: unknown): GatewayError {
  const code = upstreamCode === undefined ? undefined : safeCode(upstreamCode);
  const what = code === undefined ? `HTTP ${status}` : `HTTP ${status}, code ${code}`;
  return new GatewayError(
    'AUTH',
    `The upstream refused the call (${what}): no X-Road-Client header was sent, so the client ` +
      'configuration is missing (a real exchange refuses such a call); set createGateway({ client }) ' +
      'or the adapter option client',
    { status, retryable: false, ...(code === undefined ? {} : { upstreamCode: code }) },
  );
}
