/**
 * The tax registry adapter (`/tax/v1`).
 */
import { defineAdapter } from 'vn-national-gateway';
import { taxRegistryProfile } from './profile.js';
import { TAX_REGISTRY_LABELS, taxRegistryOperations } from './schemas.js';

/**
 * Configures the tax registry adapter: look up a taxpayer (`lookupTaxCode`: an organisation, a
 * branch, or an individual by personal ID), register an individual or household business
 * (`registerTaxpayer`, a write queued in the outbox when the registry is down) and read the
 * registration's status (`getRegistrationStatus`). Every operation needs `context.purpose` and
 * `context.actor`, because a tax code may be a citizen's personal ID.
 *
 * @example
 * import { createGateway } from 'vn-national-gateway';
 * import { taxRegistry } from 'vn-national-gateway/adapters';
 *
 * const gateway = createGateway({
 *   client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
 *   upstreams: { tax: taxRegistry({ baseUrl: 'https://lgsp.example.gov.vn', auth: { type: 'bearer', token } }) },
 * });
 * const ctx = { purpose: '1.001612', actor: 'officer-17' };
 * const r = await gateway.tax.lookupTaxCode({ taxCode: '0301234562-001' }, ctx);
 * if (r.status !== 'queued' && r.data.status === 'closed') warnOfficer();
 *
 * await gateway.tax.registerTaxpayer(
 *   { dossierCode: '000.00.29.H29-250701-0002', personalId: '079085001234', fullName: 'Nguyễn Văn An',
 *     dateOfBirth: '1985-03-12', businessAddress: { wardCode: '27058', detail: 'Số 12 đường Lê Văn Sỹ' } },
 *   ctx,
 * );
 */
export const taxRegistry = defineAdapter({
  name: 'tax',
  displayName: 'Hệ thống thuế',
  operations: taxRegistryOperations,
  profile: taxRegistryProfile,
  labels: TAX_REGISTRY_LABELS,
});
