/**
 * The checked-in API report (`api/*.api.md`) is the public surface of the built declarations: an
 * export that changes fails here until `npm run api:update` is run and its diff reviewed. Also:
 * the CommonJS declarations offer the same surface as the ES module ones, and every optional
 * member accepts an explicit `undefined` (`exactOptionalPropertyTypes`). Needs `npm run build` first.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entries, optionalWithoutUndefined, report, reports, run } from '../../scripts/api-report.js';

const all = entries();
/**
 * Members the gateway fills in for someone else's code rather than a caller writing them: the
 * request options handed to an undici dispatcher leave `body` out when there is none, exactly as
 * undici's own `Dispatcher.request` expects under `exactOptionalPropertyTypes`.
 */
const GIVEN_NOT_WRITTEN = new Set(['UndiciRequestOptions.body']);
const written = (member: string) => !GIVEN_NOT_WRITTEN.has(member);
const scratch = mkdtempSync(path.join(tmpdir(), 'vngw-api-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the API report', () => {
  it('covers every entry of package.json exports', () => {
    expect(all.map((e) => e.subpath)).toEqual(expect.arrayContaining(['.', './adapters', './testing']));
    for (const e of all) {
      if (!existsSync(e.esm)) throw new Error(`${e.esm} is missing: run \`npm run build\` first`);
    }
  });

  it('matches the built declarations (run `npm run api:update` and review the diff)', () => {
    expect(run({ check: true })).toEqual([]);
  }, 120_000);

  it('the CommonJS types offer the same surface as the ES module ones', () => {
    const esm = reports(all.map((e) => [e.name, e.esm] as const));
    const cjs = reports(all.map((e) => [e.name, e.cjs] as const));
    expect(cjs).toEqual(esm);
  }, 120_000);

  it.each(all.map((e) => [e.subpath, e] as const))(
    '%s: every optional member accepts an explicit undefined',
    (_, e) => {
      expect(optionalWithoutUndefined(e.esm).filter(written)).toEqual([]);
      expect(optionalWithoutUndefined(e.cjs).filter(written)).toEqual([]);
    },
  );

  it('sees a changed export and an optional member without undefined (the checker itself)', () => {
    const file = path.join(scratch, 'entry.d.ts');
    const write = (member: string) =>
      writeFileSync(
        file,
        `interface Hidden { n: number }\nexport interface Options {\n  ${member}\n  b?: string | undefined;\n  c?: unknown;\n  run?(): void;\n  h?: Hidden | undefined;\n}\nexport type P<T> = { [K in keyof T]?: T[K] };\nexport declare function go(o?: Options): void;\n`,
      );
    write('a?: string;');
    const before = report('x', file);
    expect(before).toContain('function  go');
    expect(before).toContain('interface Hidden {');
    expect(optionalWithoutUndefined(file)).toEqual(['Options.a', 'Options.run', 'P.[mapped]']);
    write('a?: number | undefined;');
    expect(report('x', file)).not.toBe(before);
    expect(optionalWithoutUndefined(file)).toEqual(['Options.run', 'P.[mapped]']);
  });
});
