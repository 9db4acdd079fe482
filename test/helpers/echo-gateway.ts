import pino from 'pino';
import { createGateway, type GatewayOptions, type Transport } from 'vn-national-gateway';
import { echo } from './echo-adapter.js';

type EchoUpstreams = { echo: ReturnType<typeof echo> };

/**
 * A gateway with one `echo` upstream (bearer auth) on `transport` and a silent logger; `policy` is
 * the upstream's, the rest are gateway options (outbox, random, drainer…).
 */
export function echoGateway(
  transport: Transport,
  {
    policy,
    ...options
  }: { policy?: Parameters<typeof echo>[0]['policy'] } & Omit<
    GatewayOptions<EchoUpstreams>,
    'upstreams' | 'logger'
  >,
) {
  return createGateway({
    upstreams: {
      echo: echo({ baseUrl: 'http://echo.test', auth: { type: 'bearer', token: 't' }, transport, policy }),
    },
    logger: pino({ level: 'silent' }),
    ...options,
  });
}
