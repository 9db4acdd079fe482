import { describe, expectTypeOf, it } from 'vitest';
import { type CallContext, createGateway, type PolicyOptions } from 'vn-national-gateway';
import { landRegistry, vneid } from 'vn-national-gateway/adapters';
import { echo } from '../helpers/echo-adapter.js';

const auth = { type: 'bearer', token: 't' } as const;
const base = 'http://lgsp.test';

// Never called: these functions are only type-checked (tsc over test/types).
function gatewayTypes() {
  const gateway = createGateway({
    upstreams: {
      vneid: vneid({ baseUrl: base, auth }),
      land: landRegistry({ baseUrl: base, auth }),
      echo: echo({ baseUrl: base, auth }),
    },
    policy: { operations: { getParcel: { deadlineMs: 5000 }, verifyCitizen: { cache: false } } },
  });
  return gateway;
}

describe('required context on citizen data', () => {
  it('requires purpose and actor for personalData: true operations only', () => {
    const check = (g: ReturnType<typeof gatewayTypes>) => {
      const person = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-05-01' };
      // @ts-expect-error verifyCitizen touches citizen data: the context is required
      void g.vneid.verifyCitizen(person);
      // @ts-expect-error ... with purpose and actor
      void g.vneid.verifyCitizen(person, { actor: 'officer-17' });
      // @ts-expect-error ... with purpose and actor
      void g.vneid.verifyCitizen(person, { purpose: '1.001234' });
      void g.vneid.verifyCitizen(person, { purpose: '1.001234', actor: 'officer-17' });
      // A context typed as the optional CallContext is not enough either.
      const loose: CallContext = {};
      // @ts-expect-error a CallContext may lack purpose and actor
      void g.vneid.verifyCitizen(person, loose);
      // Not citizen data: the context stays optional.
      void g.land.getParcel({ wardCode: '27058', mapSheet: 12, parcelNumber: 345 });
      void g.echo.ping({ n: 1 });
      // @ts-expect-error echo.lookup declares personalData: true
      void g.echo.lookup({ personalId: '079203001234', fullName: 'A' });
      expectTypeOf(g.land.getParcel).parameter(1).toEqualTypeOf<CallContext | undefined>();
    };
    expectTypeOf(check).toBeFunction();
  });
});

describe('policy.operations keyed by operation names', () => {
  it('refuses a misspelt operation name at compile time', () => {
    const check = () =>
      createGateway({
        upstreams: { land: landRegistry({ baseUrl: base, auth }) },
        // @ts-expect-error getParcels is not an operation of these upstreams
        policy: { operations: { getParcels: { deadlineMs: 1 } } },
      });
    const perAdapter = () =>
      landRegistry({
        baseUrl: base,
        auth,
        // @ts-expect-error verifyCitizen is not a land registry operation
        policy: { operations: { verifyCitizen: { deadlineMs: 1 } } },
      });
    expectTypeOf(check).toBeFunction();
    expectTypeOf(perAdapter).toBeFunction();
    expectTypeOf<keyof NonNullable<PolicyOptions<'a' | 'b'>['operations']>>().toEqualTypeOf<'a' | 'b'>();
  });
});
