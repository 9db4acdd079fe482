/**
 * Field docs of the adapters' schemas reach the emitted types (issue 14): the user's editor reads
 * `dist/*.d.ts`, where zod's inferred types carry no comment. Needs `npm run build` first.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function dts(name: string): string {
  const file = path.join(root, 'dist', name);
  if (!existsSync(file)) throw new Error(`dist/${name} is missing: run \`npm run build\` first`);
  return readFileSync(file, 'utf8');
}

/** The TSDoc block right before `name:` inside `interface owner`. */
function fieldDoc(text: string, owner: string, name: string): string | undefined {
  const start = text.indexOf(`interface ${owner} `);
  if (start < 0) return undefined;
  const body = text.slice(start, text.indexOf('\n}', start));
  const m = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${name}\\??:`).exec(body);
  return m?.[1]?.replace(/\s*\*\s*/g, ' ').trim();
}

describe.each(['adapters.d.ts', 'adapters.d.cts'])('%s', (file) => {
  const text = dts(file);

  it('documents changeType (loại biến động) and its codes', () => {
    const doc = fieldDoc(text, 'SubmitRegistrationInput', 'changeType');
    expect(doc).toContain('Kind of change (loại biến động)');
    expect(doc).toContain('CHUYEN_NHUONG');
  });

  it('documents result fields with their allowed values', () => {
    expect(fieldDoc(text, 'Certificate', 'status')).toContain('`valid` (hiệu lực) or `revoked` (thu hồi)');
    expect(fieldDoc(text, 'Parcel', 'landUseCode')).toContain('mã loại đất');
    expect(fieldDoc(text, 'Taxpayer', 'status')).toContain('`suspended` (tạm ngừng, `01`)');
    expect(fieldDoc(text, 'RegisterTaxpayerInput', 'dateOfBirth')).toContain('Date of birth (ngày sinh)');
  });

  it("types the operations with those interfaces, so the gateway's methods show the docs", () => {
    const ops = text.slice(text.indexOf('declare const landRegistryOperations'));
    expect(ops).toMatch(/ZodType<SubmitRegistrationInput, SubmitRegistrationInput/);
    const tax = text.slice(text.indexOf('declare const taxRegistryOperations'));
    expect(tax).toMatch(/ZodType<RegisterTaxpayerInput, RegisterTaxpayerInput/);
  });
});
