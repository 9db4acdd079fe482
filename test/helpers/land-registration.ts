/**
 * The land-registration write the tests against the mock platforms send (a transfer of the first
 * fixture parcel by the first fixture citizen), and the deduplication check on it: the same dossier
 * submitted twice is answered `received`, and the second time with the same receipt.
 */
import { expect } from 'vitest';
import type { Gateway } from 'vn-national-gateway';
import type { landRegistry } from 'vn-national-gateway/adapters';
import { fixtures } from 'vn-national-gateway/testing';

type LandGateway = Gateway<{ land: ReturnType<typeof landRegistry> }>;

/** A transfer (`CHUYEN_NHUONG`) of the first fixture parcel by the first fixture citizen, as `dossierCode`. */
export function landRegistration(dossierCode: string) {
  const parcel = fixtures.parcels[0]!;
  const citizen = fixtures.citizens[0]!;
  return {
    dossierCode,
    wardCode: parcel.wardCode,
    mapSheet: parcel.mapSheet,
    parcelNumber: parcel.parcelNumber,
    changeType: 'CHUYEN_NHUONG',
    applicant: { personalId: citizen.personalId, fullName: citizen.fullName },
  };
}

/** Submits {@link landRegistration} of `dossierCode` twice; returns the first answer. */
export async function submitRegistrationTwice(
  gateway: Pick<LandGateway, 'land'>,
  dossierCode: string,
  ctx: { purpose: string; actor: string },
) {
  const input = landRegistration(dossierCode);
  const first = await gateway.land.submitRegistration(input, ctx);
  const again = await gateway.land.submitRegistration(input, ctx);
  expect(first.status === 'ok' && first.data.status).toBe('received');
  expect(again.status === 'ok' && again.data).toEqual(first.status === 'ok' && first.data);
  return first;
}
