/**
 * Quick start: verify a citizen, look up a parcel, submit a land change registration. It starts
 * the mock national platforms first, so it runs on a fresh machine: `npx tsx examples/quickstart.ts`.
 * Against the real platforms, drop the mock and use your LGSP/NDXP URL and credentials.
 */
import pino from 'pino';
import { type AuthOptions, type CallResult, createGateway, isGatewayError } from 'vn-national-gateway';
import { landRegistry, taxRegistry, vneid } from 'vn-national-gateway/adapters';
import { MOCK_CREDENTIALS, startMockPlatforms } from 'vn-national-gateway/testing';

const mock = await startMockPlatforms();
const auth: AuthOptions = { type: 'oauth2', tokenUrl: mock.urls.token, ...MOCK_CREDENTIALS };
const gateway = createGateway({
  client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
  upstreams: {
    vneid: vneid({ baseUrl: mock.url, auth }),
    land: landRegistry({ baseUrl: mock.url, auth }),
    tax: taxRegistry({ baseUrl: mock.url, auth }),
  },
  logger: pino({ level: 'error' }), // default: 'info', one line per call
});

// ok: a live answer; stale: the last good one while the platform fails; queued: delivered later.
function show<T>(step: string, r: CallResult<T>, say: (data: T) => string): void {
  console.log(`${step}: ${r.status}, ${r.status === 'queued' ? `ticket ${r.ticket}` : say(r.data)}`);
}

const dossierCode = '000.00.29.H29-250701-0001';
const ctx = { purpose: '1.004227', actor: 'officer-17', dossierCode }; // procedure, officer, dossier
const citizen = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-05-01' };
const parcel = { wardCode: '27061', mapSheet: 12, parcelNumber: 345 }; // a pre-2025 ward code
try {
  show('citizen', await gateway.vneid.verifyCitizen(citizen, ctx), (d) => `verified=${d.verified}`);
  show('parcel', await gateway.land.getParcel(parcel, ctx), (d) => `${d.areaM2} m², ${d.wardName}`);
  const applicant = { personalId: citizen.personalId, fullName: citizen.fullName };
  const change = { dossierCode, ...parcel, changeType: 'CHUYEN_NHUONG', applicant };
  show('registration', await gateway.land.submitRegistration(change, ctx), (d) => `receipt ${d.receiptId}`);
  show('taxpayer', await gateway.tax.lookupTaxCode({ taxCode: '0301234562' }, ctx), (d) => d.name);
  await gateway.vneid.verifyCitizen({ ...citizen, personalId: '07920300123' }, ctx); // a typo at the counter
} catch (e) {
  if (isGatewayError(e, 'VALIDATION')) {
    console.log(`not sent (${e.issues?.map((i) => i.path).join(', ')}): ${e.userMessage}`);
  } else if (isGatewayError(e)) {
    console.error(`${e.code}: ${e.userMessage}`); // Vietnamese, for the counter officer
    process.exitCode = 1;
  } else throw e;
} finally {
  await gateway.close();
  await mock.close();
}
