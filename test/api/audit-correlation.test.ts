import { describe, expect, it } from 'vitest';
import { type AuditRecord, createAuditTrail, verifyAuditRecords } from 'vn-national-gateway';
import { CTX, PERSON } from '../helpers/echo-adapter.js';
import { echoGateway, FOUND } from '../telemetry/helpers.js';

describe('correlationId in the audit trail', () => {
  it('reaches the record, is covered by the hash, and is absent when not given', async () => {
    const records: AuditRecord[] = [];
    const audit = createAuditTrail({
      salt: 'test-salt-0123456789abcdef',
      sink: { write: (r) => void records.push(r) },
    });
    const { gateway } = echoGateway([FOUND, FOUND], { audit });
    await gateway.echo.lookup(PERSON, { ...CTX, correlationId: 'corr-7f3a' });
    await gateway.echo.lookup(PERSON, CTX);
    await audit.flush();
    expect(records.map((r) => r.correlationId)).toEqual(['corr-7f3a', undefined]);
    expect('correlationId' in records[1]!).toBe(false);
    expect(JSON.stringify(records[0])).not.toContain(PERSON.personalId);
    const verified = verifyAuditRecords(records);
    expect(verified.ok).toBe(true);
    // Changing the stored correlation id breaks the chain.
    const tampered = records.map((r, i) => (i === 0 ? { ...r, correlationId: 'corr-other' } : r));
    expect(verifyAuditRecords(tampered).ok).toBe(false);
    await gateway.close();
    await audit.close();
  });
});
