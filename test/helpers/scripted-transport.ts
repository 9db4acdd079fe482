import type { Transport, TransportRequest, TransportResponse } from 'vn-national-gateway';

export type Step =
  | TransportResponse
  | Error
  | 'hang'
  | ((req: TransportRequest) => TransportResponse | Promise<TransportResponse>);

/**
 * A transport that plays a script of replies (the last one repeats) and records every request,
 * so timing tests run on fake timers without sockets. 'hang' never answers until aborted.
 */
export function scriptedTransport(...script: Step[]) {
  const requests: TransportRequest[] = [];
  const transport: Transport & { requests: TransportRequest[] } = {
    requests,
    async request(req) {
      requests.push(req);
      const step = script.length > 1 ? script.shift()! : script[0]!;
      if (step === 'hang') {
        return new Promise<TransportResponse>((_, reject) => {
          req.signal.addEventListener('abort', () => reject(req.signal.reason), { once: true });
        });
      }
      if (step instanceof Error) throw step;
      return typeof step === 'function' ? step(req) : step;
    },
  };
  return transport;
}

export const reply = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): TransportResponse => ({
  status,
  body,
  headers,
});
