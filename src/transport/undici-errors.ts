import { GatewayError, isGatewayError } from '../errors.js';

/**
 * Maps whatever undici, node:net, node:tls or node:zlib threw to the transport's typed errors. The
 * original error is never kept as the cause: undici's carry the request options (headers with the
 * token, the URL with a personal ID); only its code survives.
 */
export function toTransportError(e: unknown, signal: AbortSignal): GatewayError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (isGatewayError(reason)) return reason;
    return new GatewayError('ABORTED', 'Request aborted', { cause: reason });
  }
  if (isGatewayError(e)) return e;
  const code = errorCode(e);
  const cause = Object.assign(new Error(code ?? 'transport error'), { code });
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE')
    return new GatewayError('CONTRACT', 'Response body exceeds the size limit', { retryable: false, cause });
  return new GatewayError('NETWORK', code ? `Network error ${code}` : 'Transport error', { cause });
}

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  // undici wraps socket and TLS errors; the first code on the chain is the informative one.
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
