import { describe, expect, it } from 'vitest';
import {
  certificateCodeSchema,
  certificateSerialSchema,
  normalizeCertificateSerial,
  parcelKeySchema,
} from 'vn-national-gateway/identifiers';

describe('certificate serials', () => {
  it.each([
    ['AB123456', 'AB123456'],
    ['AB 123456', 'AB123456'],
    ['DK12345678', 'DK12345678'],
    ['DK 12345678', 'DK12345678'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeCertificateSerial(input)).toBe(expected);
    expect(certificateSerialSchema.parse(input)).toBe(expected);
  });

  it.each([
    ['lower case', 'ab123456'],
    ['one letter', 'A123456'],
    ['three letters', 'ABC123456'],
    ['5 digits', 'AB12345'],
    ['7 digits', 'AB1234567'],
    ['9 digits', 'AB123456789'],
    ['two spaces', 'AB  123456'],
    ['a dash', 'AB-123456'],
    ['leading space', ' AB123456'],
    ['empty', ''],
  ])('rejects %s', (_label, input) => {
    expect(normalizeCertificateSerial(input)).toBeUndefined();
    const r = certificateSerialSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]?.message).toMatch(/^certificateSerial: /);
  });

  it('returns undefined for a non-string', () => {
    expect(normalizeCertificateSerial(12345678)).toBeUndefined();
  });
});

describe('certificateCodeSchema', () => {
  it('accepts 12 capital letters and digits', () => {
    expect(certificateCodeSchema.parse('79A1B2C3D4E5')).toBe('79A1B2C3D4E5');
    expect(certificateCodeSchema.parse('123456789012')).toBe('123456789012');
  });

  it.each(['79A1B2C3D4E', '79A1B2C3D4E56', '79a1b2c3d4e5', '79A1B2C3D4E-'])('rejects %s', (value) => {
    expect(certificateCodeSchema.safeParse(value).success).toBe(false);
  });
});

describe('parcelKeySchema', () => {
  it('accepts a current or pre-2025 commune code with positive integers', () => {
    expect(parcelKeySchema.parse({ wardCode: '27058', mapSheet: 12, parcelNumber: 345 })).toEqual({
      wardCode: '27058',
      mapSheet: 12,
      parcelNumber: 345,
    });
    expect(parcelKeySchema.safeParse({ wardCode: '27061', mapSheet: 1, parcelNumber: 1 }).success).toBe(true);
  });

  it.each([
    ['zero map sheet', { wardCode: '27058', mapSheet: 0, parcelNumber: 1 }, 'mapSheet'],
    ['negative parcel', { wardCode: '27058', mapSheet: 1, parcelNumber: -3 }, 'parcelNumber'],
    ['fractional parcel', { wardCode: '27058', mapSheet: 1, parcelNumber: 1.5 }, 'parcelNumber'],
    ['numeric string', { wardCode: '27058', mapSheet: '12', parcelNumber: 1 }, 'mapSheet'],
    ['unknown commune', { wardCode: '99999', mapSheet: 1, parcelNumber: 1 }, 'wardCode'],
    ['short commune', { wardCode: '2705', mapSheet: 1, parcelNumber: 1 }, 'wardCode'],
  ])('rejects %s at its path', (_label, input, field) => {
    const r = parcelKeySchema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => i.path[0])).toEqual([field]);
  });
});
