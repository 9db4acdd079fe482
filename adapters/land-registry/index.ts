/**
 * The land registry adapter (`/land/v1`).
 */
import { defineAdapter } from 'vn-national-gateway';
import { landRegistryProfile } from './profile.js';
import { LAND_REGISTRY_LABELS, landRegistryOperations } from './schemas.js';

/**
 * Configures the land registry adapter: parcels (`getParcel`), certificates
 * (`verifyCertificate`), change registrations (`submitRegistration`, a write queued in the outbox
 * when the registry is down) and their status (`getRegistrationStatus`). Parcel keys accept a
 * current or a pre-2025 commune code.
 *
 * @example
 * import { createGateway } from 'vn-national-gateway';
 * import { landRegistry } from 'vn-national-gateway/adapters';
 *
 * const gateway = createGateway({
 *   client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
 *   upstreams: { land: landRegistry({ baseUrl: 'https://lgsp.example.gov.vn', auth: { type: 'bearer', token } }) },
 * });
 * // 27061 is Phường 2, Quận Phú Nhuận before 2025: the result says it is now 27058, Phường Cầu Kiệu.
 * const parcel = await gateway.land.getParcel({ wardCode: '27061', mapSheet: 12, parcelNumber: 345 });
 *
 * const r = await gateway.land.submitRegistration(
 *   {
 *     dossierCode: '000.00.29.H29-250701-0001',
 *     wardCode: '27058', mapSheet: 12, parcelNumber: 345, changeType: 'CHUYEN_NHUONG',
 *     applicant: { personalId: '079203001234', fullName: 'Nguyễn Văn A' },
 *   },
 *   { purpose: '1.004227', actor: 'officer-17' },
 * );
 * if (r.status === 'queued') saveTicket(r.ticket); // delivered later, same idempotency key
 */
export const landRegistry = defineAdapter({
  name: 'land',
  displayName: 'Hệ thống đăng ký đất đai',
  operations: landRegistryOperations,
  profile: landRegistryProfile,
  labels: LAND_REGISTRY_LABELS,
});
