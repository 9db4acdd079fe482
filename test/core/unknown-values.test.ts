import { describe, expect, it } from 'vitest';
import { NOT_A_CODE, safeCode, UnknownValueLog } from '../../src/pipeline/unknown-values.js';

function clockAt(t: { now: number }) {
  return { now: () => t.now, monotonic: () => t.now } as never;
}

describe('unknown values', () => {
  it('only code-shaped values are kept: no personal IDs, names or long text', () => {
    expect(safeCode('LUA-2')).toBe('LUA-2');
    expect(safeCode('079203001234')).toBe(NOT_A_CODE);
    expect(safeCode('Nguyễn Văn A')).toBe(NOT_A_CODE);
    expect(safeCode('Nguyen Van A')).toBe(NOT_A_CODE);
    expect(safeCode('x'.repeat(33))).toBe(NOT_A_CODE);
    expect(safeCode(42)).toBe(NOT_A_CODE);
    // Short personal values that look like codes: an old ID card, a phone, a date of birth.
    for (const personal of ['025123456', '0912345678', '19850312', '1985-03-12', '12/03/1985', '12.3.1985'])
      expect(safeCode(personal)).toBe(NOT_A_CODE);
    // Real codes keep their shape: short digit codes, land-use and status codes, versions.
    for (const code of [
      '00',
      '02',
      '99',
      '400',
      'SYSTEM_BUSY',
      'INVALID_REQUEST',
      'ODT',
      'HIEU_LUC',
      '1.2.3',
      'v2:LUA/1',
    ])
      expect(safeCode(code)).toBe(code);
  });

  it('reports each value once per window and at most maxPerCall per call', () => {
    const t = { now: 0 };
    const log = new UnknownValueLog(clockAt(t), { windowMs: 60_000, maxPerCall: 3 });
    const out: string[] = [];
    const call = log.forCall('land', 'lookup', (_f, v) => out.push(v));
    for (let i = 0; i < 50_000; i++) call.report('landUse', `C${i}`);
    expect(out).toEqual(['C0', 'C1', 'C2']);
    expect(call.suppressed()).toBe(49_997);

    const again = log.forCall('land', 'lookup', (_f, v) => out.push(v));
    again.report('landUse', 'C0'); // within the window: deduplicated
    expect(out).toHaveLength(3);
    t.now = 60_000;
    again.report('landUse', 'C0'); // a minute later: reported again
    expect(out).toHaveLength(4);
  });
});
