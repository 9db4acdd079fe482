import { describe, expect, it } from 'vitest';
import {
  fromWireDate,
  isIsoDate,
  isoDateSchema,
  toWireDate,
  wireDateSchema,
} from 'vn-national-gateway/identifiers';

describe('dates', () => {
  it('converts between YYYY-MM-DD and yyyyMMdd', () => {
    expect(toWireDate('2003-05-01')).toBe('20030501');
    expect(fromWireDate('20030501')).toBe('2003-05-01');
  });

  it('knows leap years', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2023-02-29')).toBe(false);
  });

  it.each(['2003-13-01', '2003-00-10', '2003-04-31', '2003-05-00', '0000-01-01', '2003-5-1', '20030501', ''])(
    'rejects %s',
    (value) => {
      expect(isIsoDate(value)).toBe(false);
      expect(isoDateSchema.safeParse(value).success).toBe(false);
    },
  );

  it('throws from toWireDate on an invalid date, without repeating it', () => {
    expect(() => toWireDate('2003-02-30')).toThrow(RangeError);
    expect(() => toWireDate('2003-02-30')).not.toThrow(/2003/);
  });

  it('returns undefined from fromWireDate on an invalid or non-string value', () => {
    expect(fromWireDate('20030230')).toBeUndefined();
    expect(fromWireDate('2003-05-01')).toBeUndefined();
    expect(fromWireDate(20030501)).toBeUndefined();
  });

  it('parses wire dates to ISO with wireDateSchema', () => {
    expect(wireDateSchema.parse('19851231')).toBe('1985-12-31');
    const r = wireDateSchema.safeParse('19851232');
    expect(r.success).toBe(false);
    if (!r.success) expect(JSON.stringify(r.error)).not.toContain('19851232');
  });
});
