/**
 * The outbox page's deferred-outcome example runs as written: a verification queued while VNeID is down
 * comes back negative, the typed event flags the dossier, and the ticket is read from the store.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const doc = readFileSync(path.join(root, 'docs/outbox.md'), 'utf8');
// Inside the repository, so tsx resolves the package's public names from tsconfig paths.
const scratch = path.join(root, 'test', 'readme-outbox-generated');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('docs/outbox.md: reading a ticket and deferred outcomes', () => {
  it('the example runs as written and flags the dossier', { timeout: 90_000 }, () => {
    const section = doc.slice(doc.indexOf('## Reading a ticket and deferred outcomes'));
    const source = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(source).toBeDefined();
    mkdirSync(scratch, { recursive: true });
    const file = path.join(scratch, 'deferred-outcome.ts');
    writeFileSync(file, source!);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      encoding: 'utf8',
      timeout: 80_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[HS-2026-0042] VNeID did not verify the applicant');
    expect(r.stdout).toMatch(
      /HS-2026-0042 delivered \{[^\n]*"nameMatches":false[^\n]*"verified":false\} verification-pending,verification-failed/,
    );
    // The summary left the personal data out.
    expect(r.stdout).not.toMatch(/HS-2026-0042 delivered [^\n]*(079192004567|Ngân)/);
  });
});
