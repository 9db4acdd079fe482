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
 * Whether a reply to a call sent without `X-Road-Client` is the exchange refusing it: a 4xx but 404
 * (the platform looked and found nothing) and 429 (rate limit), whose envelope, if any, reads as an
 * invalid or refused request. An envelope failure sent with HTTP 200 keeps its own meaning (a
 * domain refusal is not a configuration fault); its message only gets {@link NO_CLIENT_HINT}.
 */
export function isClientRefusal(status: number, envelopeCode?: ErrorCode): boolean {
  if (envelopeCode !== undefined && !REFUSALS.has(envelopeCode)) return false;
  return status >= 400 && status < 500 && status !== 404 && status !== 429;
}

/** Appended to a refusal's message (HTTP 200) when no `X-Road-Client` was sent. */
export const NO_CLIENT_HINT =
  '; no X-Road-Client header was sent: is the client configuration missing? (createGateway({ client }) or the adapter option client)';

/** The hint when it applies: no client was sent and the envelope reads as a refusal. */
export function noClientHint(client: string | undefined, envelopeCode: ErrorCode): string {
  return !client && REFUSALS.has(envelopeCode) ? NO_CLIENT_HINT : '';
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
