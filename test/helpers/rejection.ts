import { type GatewayError, isGatewayError } from 'vn-national-gateway';

/** The GatewayError a promise rejects with; anything else it rejects with is rethrown, and a fulfilment fails. */
export async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    if (isGatewayError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}
