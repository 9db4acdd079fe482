/**
 * `vn-national-gateway/adapters`: the built-in adapters of Vietnam's central platforms, each
 * written with the public `defineAdapter` API, with its domain schemas and its default wire
 * profile (copy and modify a profile to follow another specification; see `adapters/README.md`).
 */

// VNeID / national population data
export { vneid } from './vneid/index.js';
export {
  createVneidEnvelope,
  citizenProfileWire,
  VNEID_ERROR_CODES,
  verifyCitizenWire,
  vneidProfile,
} from './vneid/profile.js';
export {
  type CitizenProfile,
  citizenProfileOutput,
  GENDERS,
  type Gender,
  type GetCitizenProfileInput,
  getCitizenProfileInput,
  type ResidenceAddress,
  residenceAddressSchema,
  type VerifyCitizenInput,
  type VerifyCitizenResult,
  type VneidOperations,
  verifyCitizenInput,
  verifyCitizenOutput,
  VNEID_LABELS,
  vneidOperations,
} from './vneid/schemas.js';

// Land registry
export { landRegistry } from './land-registry/index.js';
export {
  certificateWire,
  certificateWithParcelWire,
  createLandEnvelope,
  LAND_ERROR_CODES,
  landRegistryProfile,
  parcelWire,
  registrationStatusWire,
  registrationWire,
} from './land-registry/profile.js';
export {
  CERTIFICATE_STATUSES,
  type Certificate,
  type CertificateStatus,
  type CertificateWithParcel,
  certificateOutput,
  certificateSchema,
  type GetParcelInput,
  getParcelInput,
  LAND_REGISTRATION_STATUSES,
  LAND_USE_CODES,
  type LandApplicant,
  type LandRegistrationStatus,
  type LandRegistrationStatusInput,
  type LandRegistrationStatusResult,
  type LandRegistryOperations,
  type LandUseCode,
  landRegistrationStatusInput,
  landRegistrationStatusOutput,
  LAND_REGISTRY_LABELS,
  landRegistryOperations,
  type Parcel,
  type ParcelLocation,
  parcelLocationSchema,
  parcelOutput,
  type SubmitRegistrationInput,
  type SubmitRegistrationResult,
  submitRegistrationInput,
  submitRegistrationOutput,
  type VerifyCertificateInput,
  verifyCertificateInput,
} from './land-registry/schemas.js';

// Tax registration
export { taxRegistry } from './tax-registry/index.js';
export {
  createTaxEnvelope,
  TAX_ERROR_CODES,
  taxpayerWire,
  taxRegistrationWire,
  taxRegistryProfile,
} from './tax-registry/profile.js';
export {
  type BusinessAddress,
  businessAddressSchema,
  type LookupTaxCodeInput,
  lookupTaxCodeInput,
  type RegisterTaxpayerInput,
  registerTaxpayerInput,
  TAX_REGISTRATION_STATUSES,
  TAXPAYER_STATUSES,
  type Taxpayer,
  type TaxpayerStatus,
  type TaxRegistration,
  type TaxRegistrationStatus,
  type TaxRegistrationStatusInput,
  type TaxRegistryOperations,
  taxpayerOutput,
  taxRegistrationOutput,
  taxRegistrationStatusInput,
  TAX_REGISTRY_LABELS,
  taxRegistryOperations,
} from './tax-registry/schemas.js';

// Shared helpers, for profiles written by cities
export { decodeEnum, type Open, openEnum } from './shared.js';
