/**
 * The deduplicated land-registration write, as the tests against the mock platforms check it: the
 * same dossier submitted twice is answered `received`, and the second time with the same receipt.
 */
import { expect } from 'vitest';
import type { Gateway } from 'vn-national-gateway';
import type { landRegistry } from 'vn-national-gateway/adapters';
import { fixtures } from 'vn-national-gateway/testing';

type LandGateway = Gateway<{ land: ReturnType<typeof landRegistry> }>;

/** Submits a registration of the first fixture parcel under `dossierCode` twice; returns the first answer. */
export async function submitRegistrationTwice(
  gateway: Pick<LandGateway, 'land'>,
  dossierCode: string,
  ctx: { purpose: string; actor: string },
) {
  const p = fixtures.parcels[0]!;
  const input = {
    dossierCode,
    wardCode: p.wardCode,
    mapSheet: p.mapSheet,
    parcelNumber: p.parcelNumber,
    changeType: 'CHUYEN_NHUONG',
    applicant: { personalId: fixtures.citizens[0]!.personalId, fullName: fixtures.citizens[0]!.fullName },
  };
  const first = await gateway.land.submitRegistration(input, ctx);
  const again = await gateway.land.submitRegistration(input, ctx);
  expect(first.status === 'ok' && first.data.status).toBe('received');
  expect(again.status === 'ok' && again.data).toEqual(first.status === 'ok' && first.data);
  return first;
}
