/**
 * Sample inputs and wire replies of the VNeID adapter, for tests and examples. The people are
 * invented (they are the mock platforms' citizens); their identifiers obey the real rules.
 */

/** A context that says who calls and why, required by every VNeID operation. */
export const vneidContext = Object.freeze({ purpose: '1.001234', actor: 'officer-17' });

/** A valid `verifyCitizen` input (the DESIGN.md example). */
export const verifyCitizenSample = Object.freeze({
  personalId: '079203001234',
  fullName: 'Nguyễn Văn A',
  dateOfBirth: '2003-05-01',
});

/** The body the default profile sends for {@link verifyCitizenSample} (without the ids). */
export const verifyCitizenWireBody = Object.freeze({
  SoDinhDanh: '079203001234',
  HoVaTen: 'Nguyễn Văn A',
  NgayThangNamSinh: '20030501',
});

/** A valid `getCitizenProfile` input. */
export const getCitizenProfileSample = Object.freeze({ personalId: '079085001234', consentCode: '731904' });

/** `DuLieu` of a verification where everything matches. */
export const verifyCitizenWireData = Object.freeze({ TonTai: true, KhopHoVaTen: true, KhopNgaySinh: true });

/** `DuLieu` of a profile look-up for {@link getCitizenProfileSample}. */
export const citizenProfileWireData = Object.freeze({
  SoDinhDanh: '079085001234',
  SoCMND: '025123456',
  HoVaTen: 'Nguyễn Văn An',
  NgayThangNamSinh: '19850312',
  GioiTinh: '1',
  QuocTich: 'VN',
  NoiThuongTru: { MaTinh: '79', MaXa: '26743', ChiTiet: 'Số 12 đường Lê Thánh Tôn' },
});

/** The domain result the adapter decodes from {@link citizenProfileWireData}. */
export const citizenProfileResult = Object.freeze({
  personalId: '079085001234',
  oldIdCardNumber: '025123456',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1985-03-12',
  gender: 'male',
  nationality: 'VN',
  permanentAddress: { provinceCode: '79', communeCode: '26743', detail: 'Số 12 đường Lê Thánh Tôn' },
});

/** A success envelope. */
export const vneidOk = (data: unknown) => ({ MaKetQua: '00', MoTa: 'Thành công', DuLieu: data });

/**
 * A failure envelope. Its `MoTa` quotes personal data on purpose, as real platforms may: the
 * gateway must never copy it into errors or logs.
 */
export const vneidFail = (code: string) => ({
  MaKetQua: code,
  MoTa: 'Không xử lý được yêu cầu cho công dân Nguyễn Văn A, số định danh 079203001234, sinh ngày 01/05/2003',
  DuLieu: null,
});

/** Every VNeID failure code of the contract and the gateway code it must become. */
export const vneidFailureCodes = [
  ['01', 'NOT_FOUND'],
  ['02', 'CONTRACT'],
  ['97', 'AUTH'],
  ['99', 'UPSTREAM_UNAVAILABLE'],
] as const;
