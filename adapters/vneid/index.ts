/**
 * The VNeID / national population data adapter (`/c06/v1`).
 */
import { defineAdapter } from 'vn-national-gateway';
import { vneidProfile } from './profile.js';
import { VNEID_LABELS, vneidOperations } from './schemas.js';

/**
 * Configures the VNeID adapter: verify a citizen (`verifyCitizen`) and read a profile with the
 * citizen's consent (`getCitizenProfile`). Both need `context.purpose` (the procedure code, sent
 * as `MaDVC`) and `context.actor` (the officer, `MaCanBo` and `X-Road-UserId`).
 *
 * @example
 * import { createGateway } from 'vn-national-gateway';
 * import { vneid } from 'vn-national-gateway/adapters';
 *
 * const gateway = createGateway({
 *   client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
 *   upstreams: {
 *     vneid: vneid({
 *       baseUrl: 'https://lgsp.example.gov.vn',
 *       auth: { type: 'oauth2', tokenUrl: 'https://lgsp.example.gov.vn/token', clientId, clientSecret },
 *       // profile: myVneidProfile,   // another path or envelope, see adapters/README.md
 *     }),
 *   },
 * });
 * const r = await gateway.vneid.verifyCitizen(
 *   { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-05-01' },
 *   { purpose: '1.001234', actor: 'officer-17' },
 * );
 * if (r.status !== 'queued' && r.data.verified) acceptDossier();
 */
export const vneid = defineAdapter({
  name: 'vneid',
  displayName: 'Hệ thống VNeID',
  operations: vneidOperations,
  profile: vneidProfile,
  labels: VNEID_LABELS,
});
