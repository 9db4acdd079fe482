import pino from 'pino';
import { createGateway, type GatewayOptions, type Transport } from 'vn-national-gateway';
import { echo } from './echo-adapter.js';

type EchoUpstreams = { echo: ReturnType<typeof echo> };

/**
 * A gateway with one `echo` upstream (bearer auth) on `transport`, a silent logger and
 * `random: () => 0`; `policy` is the upstream's, the rest are gateway options (outbox, drainer…).
 */
export function echoGateway(
  transport: Transport,
  {
    policy,
    ...options
  }: { policy?: Parameters<typeof echo>[0]['policy'] } & Omit<
    GatewayOptions<EchoUpstreams>,
    'upstreams' | 'logger' | 'random'
  >,
) {
  return createGateway({
    upstreams: {
      echo: echo({ baseUrl: 'http://echo.test', auth: { type: 'bearer', token: 't' }, transport, policy }),
    },
    logger: pino({ level: 'silent' }),
    random: () => 0,
    ...options,
  });
}
