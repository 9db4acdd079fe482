/**
 * The identifiers and adapters read the current year / day from epoch milliseconds (no Date per
 * call); they must agree with the Date arithmetic they replaced everywhere in Date's range.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { vietnamToday } from '../../adapters/shared.js';
import { vietnamYearAt } from '../../src/identifiers/personal-id.js';
import {
  parsePersonalId,
  parseTaxCode,
  personalIdSchema,
  taxCodeSchema,
} from '../../src/identifiers/index.js';

const OFFSET = 7 * 60 * 60 * 1000;
const dateYear = (ms: number) => new Date(ms + OFFSET).getUTCFullYear();
const dateDay = (ms: number) => new Date(ms + OFFSET).toISOString().slice(0, 10);

afterEach(() => {
  vi.useRealTimers();
});

describe('vietnamYearAt', () => {
  it('is the UTC+7 year of the Date arithmetic, over the whole range and at year boundaries', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15 - OFFSET - 10, max: 8.64e15 - OFFSET + 10 }), (ms) => {
        expect(vietnamYearAt(ms)).toBe(dateYear(ms));
      }),
      { numRuns: 20_000 },
    );
    for (let year = -3000; year <= 12_000; year += 7) {
      const boundary = Date.UTC(year, 0, 1) - OFFSET; // midnight of 1 January in Vietnam
      for (const d of [-1, 0, 1])
        expect(vietnamYearAt(boundary + d), `${year} ${d}`).toBe(dateYear(boundary + d));
    }
    for (const ms of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 9e15, -9e15, -0.5, 0.5])
      expect(vietnamYearAt(ms)).toEqual(dateYear(ms));
  });

  it('the real-clock schemas read the faked clock as before (future birth year refused)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // 2003 births: allowed from 1 January 2003 00:00 in Vietnam, i.e. 31 December 2002 17:00 UTC.
    vi.setSystemTime(Date.UTC(2002, 11, 31, 16, 59, 59, 999));
    expect(personalIdSchema.safeParse('079203001234').success).toBe(false);
    expect(taxCodeSchema.safeParse('079203001234').success).toBe(false);
    expect(parsePersonalId('079203001234').ok).toBe(false);
    expect(parseTaxCode('079203001234').ok).toBe(false);
    vi.setSystemTime(Date.UTC(2002, 11, 31, 17, 0, 0, 0));
    expect(personalIdSchema.safeParse('079203001234').success).toBe(true);
    expect(taxCodeSchema.safeParse('079203001234').success).toBe(true);
    expect(parsePersonalId('079203001234').ok).toBe(true);
    expect(parseTaxCode('079203001234').ok).toBe(true);
  });

  it('an injected now is still read only for a 12-digit value', () => {
    const now = { getTime: vi.fn(() => Date.UTC(2025, 0, 1)) } as unknown as Date;
    expect(parsePersonalId('123', { now }).ok).toBe(false);
    expect(parseTaxCode('0300588569', { now }).ok).toBe(true);
    expect(now.getTime).not.toHaveBeenCalled();
    expect(parsePersonalId('079203001234', { now }).ok).toBe(true);
    expect(now.getTime).toHaveBeenCalledTimes(1);
  });
});

describe('vietnamToday', () => {
  it('is the UTC+7 day of the Date arithmetic, also when asked in any order', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 - OFFSET }), (ms) => {
        expect(vietnamToday(new Date(ms))).toBe(dateDay(ms));
      }),
      { numRuns: 5000 },
    );
    const midnight = Date.UTC(2025, 6, 1) - OFFSET;
    for (const ms of [midnight - 1, midnight, midnight - 1, midnight + 1, midnight - 86_400_000])
      expect(vietnamToday(new Date(ms))).toBe(dateDay(ms));
    expect(() => vietnamToday(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('follows the (faked) current time across midnight in Vietnam', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2025, 5, 30, 16, 59, 59, 999));
    expect(vietnamToday()).toBe('2025-06-30');
    vi.setSystemTime(Date.UTC(2025, 5, 30, 17, 0, 0, 0));
    expect(vietnamToday()).toBe('2025-07-01');
    vi.setSystemTime(Date.UTC(2025, 5, 30, 16, 0, 0, 0));
    expect(vietnamToday()).toBe('2025-06-30');
  });
});
