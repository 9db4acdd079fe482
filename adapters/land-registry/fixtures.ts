/**
 * Sample inputs and wire replies of the land registry adapter, for tests and examples. The
 * parcels are invented (they are the mock platforms' parcels); the commune codes are real.
 */

/** A context for the write (it carries the applicant's data). */
export const landContext = Object.freeze({ purpose: '1.004227', actor: 'officer-17' });

/** A parcel key with a current commune code (27058, Phường Cầu Kiệu). */
export const getParcelSample = Object.freeze({ wardCode: '27058', mapSheet: 12, parcelNumber: 345 });

/** The same ward by a pre-2025 code: 27061 was Phường 2, Quận Phú Nhuận, now part of 27058. */
export const getParcelPre2025Sample = Object.freeze({ wardCode: '27061', mapSheet: 12, parcelNumber: 345 });

/** `data` of a parcel look-up. */
export const parcelWireData = Object.freeze({
  maXa: '27058',
  soTo: 12,
  soThua: 345,
  dienTich: 72.5,
  loaiDat: 'ODT',
  thoiHanSuDung: 'Lâu dài',
  giayChungNhan: [
    { soPhatHanh: 'BX654321', ngayCap: '20120302', trangThai: 'THU_HOI' },
    { soPhatHanh: 'AA01234567', maGiayChungNhan: 'HCM250000123', ngayCap: '20250218', trangThai: 'HIEU_LUC' },
  ],
  hanChe: ['Thế chấp tại Ngân hàng TMCP Ngoại thương Việt Nam'],
});

/** The domain result decoded from {@link parcelWireData}. */
export const parcelResult = Object.freeze({
  wardCode: '27058',
  wardName: 'Phường Cầu Kiệu',
  mapSheet: 12,
  parcelNumber: 345,
  areaM2: 72.5,
  landUseCode: 'ODT',
  useTerm: 'long-term',
  certificates: [
    { serial: 'BX654321', issuedOn: '2012-03-02', status: 'revoked' },
    { serial: 'AA01234567', certificateCode: 'HCM250000123', issuedOn: '2025-02-18', status: 'valid' },
  ],
  restrictions: ['Thế chấp tại Ngân hàng TMCP Ngoại thương Việt Nam'],
});

/** A serial written with a space, as on older certificates. */
export const verifyCertificateSample = Object.freeze({ serial: 'CS 123456' });

/** `data` of a certificate look-up. */
export const certificateWireData = Object.freeze({
  soPhatHanh: 'CS123456',
  ngayCap: '20190614',
  trangThai: 'HIEU_LUC',
  maXa: '27058',
  soTo: 12,
  soThua: 345,
});

/** A valid change registration. */
export const submitRegistrationSample = Object.freeze({
  dossierCode: '000.00.29.H29-250701-0001',
  wardCode: '27058',
  mapSheet: 12,
  parcelNumber: 345,
  changeType: 'CHUYEN_NHUONG',
  applicant: { personalId: '079203001234', fullName: 'Nguyễn Văn A' },
});

/** The body the default profile sends for {@link submitRegistrationSample}. */
export const submitRegistrationWireBody = Object.freeze({
  maHoSo: '000.00.29.H29-250701-0001',
  maXa: '27058',
  soTo: 12,
  soThua: 345,
  loaiBienDong: 'CHUYEN_NHUONG',
  nguoiNop: { soDinhDanh: '079203001234', hoTen: 'Nguyễn Văn A' },
});

/** `data` of a registration. */
export const registrationWireData = Object.freeze({ maBienNhan: 'BN-000001', trangThai: 'DA_TIEP_NHAN' });

/** `data` of a registration's status. */
export const registrationStatusWireData = Object.freeze({
  maBienNhan: 'BN-000001',
  trangThai: 'DA_TIEP_NHAN',
  capNhatLuc: '2025-07-01T03:15:00.000Z',
});

/** A success envelope. */
export const landOk = (data: unknown) => ({
  status: 'SUCCESS',
  errorCode: null,
  message: 'Thành công',
  data,
});

/** A failure envelope; its `message` quotes personal data on purpose (never to be copied). */
export const landFail = (code: string) => ({
  status: 'FAIL',
  errorCode: code,
  message: 'Hồ sơ của ông Nguyễn Văn A (079203001234) không hợp lệ',
  data: null,
});

/** Every land failure code of the contract and the gateway code it must become. */
export const landFailureCodes = [
  ['NOT_FOUND', 'NOT_FOUND'],
  ['INVALID_REQUEST', 'CONTRACT'],
  ['UNAUTHORIZED', 'AUTH'],
  ['SYSTEM_BUSY', 'UPSTREAM_UNAVAILABLE'],
] as const;
