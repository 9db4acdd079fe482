/**
 * Sample inputs and wire replies of the tax registry adapter, for tests and examples. The
 * taxpayers are invented (they are the mock platforms'); tax codes carry valid check digits.
 */

/** A context: every tax operation may touch a citizen's data. */
export const taxContext = Object.freeze({ purpose: '1.001612', actor: 'officer-17' });

/** An enterprise's 10-digit tax code. */
export const enterpriseTaxCode = '0301234562';
/** A branch of it, as 13 digits without the dash (sent as `0301234562-001`). */
export const branchTaxCodeUndashed = '0301234562001';
/** A household business: its tax code is the owner's personal ID. */
export const personalTaxCode = '079085001234';

/** `result` of a look-up of {@link enterpriseTaxCode}. */
export const taxpayerWireData = Object.freeze({
  mst: '0301234562',
  tenNguoiNopThue: 'Công ty Cổ phần Dịch vụ Công nghệ Sài Gòn',
  trangThai: '00',
  coQuanThueQuanLy: 'Thuế Thành phố Hồ Chí Minh',
});

/** A valid registration of a household business. */
export const registerTaxpayerSample = Object.freeze({
  dossierCode: '000.00.29.H29-250701-0002',
  personalId: '079085001234',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1985-03-12',
  businessAddress: { wardCode: '27058', detail: 'Số 12 đường Lê Văn Sỹ' },
  businessLine: '4711 Bán lẻ lương thực, thực phẩm',
});

/** The body the default profile sends for {@link registerTaxpayerSample}. */
export const registerTaxpayerWireBody = Object.freeze({
  maHoSo: '000.00.29.H29-250701-0002',
  soDinhDanh: '079085001234',
  hoTen: 'Nguyễn Văn An',
  ngaySinh: '19850312',
  diaChiKinhDoanh: { maXa: '27058', chiTiet: 'Số 12 đường Lê Văn Sỹ' },
  nganhNghe: '4711 Bán lẻ lương thực, thực phẩm',
});

/** `result` of a registration. */
export const taxRegistrationWireData = Object.freeze({ maHoSoThue: 'HST-000001', trangThai: 'TIEP_NHAN' });

/** `result` of an issued registration: the tax code is the personal ID. */
export const taxRegistrationIssuedWireData = Object.freeze({
  maHoSoThue: 'HST-000001',
  mst: '079085001234',
  trangThai: 'DA_CAP',
});

/** A success envelope. */
export const taxOk = (result: unknown) => ({ error_code: 0, message: 'Thành công', result });

/** A failure envelope; its `message` quotes personal data on purpose (never to be copied). */
export const taxFail = (code: number) => ({
  error_code: code,
  message: 'Người nộp thuế Nguyễn Văn An (079085001234) không hợp lệ',
  result: null,
});

/** Every tax failure code of the contract and the gateway code it must become. */
export const taxFailureCodes = [
  [404, 'NOT_FOUND'],
  [400, 'CONTRACT'],
  [401, 'AUTH'],
  [503, 'UPSTREAM_UNAVAILABLE'],
] as const;
