import pino from 'pino';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createGateway,
  type ErrorCode,
  type GatewayEventsOf,
  type OutboxTicket,
  type PurgeReport,
} from 'vn-national-gateway';
import {
  type LandRegistrationStatusResult,
  landRegistry,
  type VerifyCitizenResult,
  vneid,
} from 'vn-national-gateway/adapters';

const auth = {
  type: 'oauth2' as const,
  tokenUrl: 'http://127.0.0.1:9/token',
  clientId: 'c',
  clientSecret: 's',
};
type Upstreams = { vneid: ReturnType<typeof vneid>; land: ReturnType<typeof landRegistry> };
type Delivered = GatewayEventsOf<Upstreams>['outbox:delivered'];
type Dead = GatewayEventsOf<Upstreams>['outbox:dead'];

// These checks run in `tsc` (npm run typecheck): a result typed `unknown` fails the build.
describe('typed outbox events', () => {
  it('outbox:delivered carries each operation’s output type', () => {
    type Verify = Extract<Delivered, { upstream: 'vneid'; operation: 'verifyCitizen' }>;
    expectTypeOf<Verify['result']>().not.toBeUnknown();
    expectTypeOf<Verify['result']>().toEqualTypeOf<VerifyCitizenResult>();
    type Status = Extract<Delivered, { upstream: 'land'; operation: 'getRegistrationStatus' }>;
    expectTypeOf<Status['result']>().toEqualTypeOf<LandRegistrationStatusResult>();
    expectTypeOf<Delivered['upstream']>().toEqualTypeOf<'vneid' | 'land'>();
    // An operation of another upstream is not part of the union.
    expectTypeOf<Extract<Delivered, { upstream: 'vneid'; operation: 'getParcel' }>>().toBeNever();
  });

  it('outbox:dead carries a gateway error code, not any string', () => {
    expectTypeOf<Dead['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<Dead>().not.toHaveProperty('result');
  });

  it('gateway.on narrows the payload by upstream and operation', async () => {
    const gateway = createGateway({
      upstreams: {
        vneid: vneid({ baseUrl: 'http://127.0.0.1:9', auth }),
        land: landRegistry({ baseUrl: 'http://127.0.0.1:9', auth }),
      },
      logger: pino({ level: 'silent' }),
      drainer: { autoStart: false },
    });
    const off = gateway.on('outbox:delivered', (e) => {
      if (e.upstream === 'vneid' && e.operation === 'verifyCitizen') {
        expectTypeOf(e.result.verified).toEqualTypeOf<boolean>();
        // @ts-expect-error a verification result has no receipt
        void e.result.receiptId;
      }
    });
    gateway.on('outbox:dead', (e) => expectTypeOf(e.code).toEqualTypeOf<ErrorCode>());
    expectTypeOf(gateway.outbox.get).returns.resolves.toEqualTypeOf<OutboxTicket | undefined>();
    expectTypeOf(gateway.outbox.purge).returns.resolves.toEqualTypeOf<PurgeReport>();
    off();
    await gateway.close();
  });
});
