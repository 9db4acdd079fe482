/**
 * `vn-national-gateway/identifiers`: Vietnamese identifiers as plain functions and zod schemas,
 * for validating input before any request. Nothing here does I/O or keeps state.
 */
export type { ParseResult } from './result.js';
export type { BirthProvince } from './birth-provinces.js';
export { getBirthProvince, listBirthProvinces } from './birth-provinces.js';
export type { Gender, PersonalId, PersonalIdOptions, PersonalIdSchemaOptions } from './personal-id.js';
export {
  checkPersonalIdAgainstDateOfBirth,
  createPersonalIdSchema,
  parsePersonalId,
  personalIdSchema,
  refinePersonalIdDateOfBirth,
} from './personal-id.js';
export { oldIdCardSchema } from './id-card.js';
export type { TaxCode, TaxCodeKind, TaxCodeOptions } from './tax-code.js';
export { parseTaxCode, taxCodeCheckDigit, taxCodeSchema } from './tax-code.js';
export type { ParcelKey } from './land.js';
export {
  certificateCodeSchema,
  certificateSerialSchema,
  normalizeCertificateSerial,
  parcelKeySchema,
} from './land.js';
export { fromWireDate, isIsoDate, isoDateSchema, toWireDate, wireDateSchema } from './dates.js';
export type { Commune, CommuneKind, CommuneResolution, Province } from './admin-units.js';
export {
  communeCodeSchema,
  currentCommuneCodeSchema,
  getCommune,
  getProvince,
  listCommunes,
  listProvinces,
  resolveCommuneCode,
} from './admin-units.js';
