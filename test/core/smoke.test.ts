import nock from 'nock';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway } from 'vn-national-gateway';
import { BASE, CTX, echo, ok, PERSON } from '../helpers/echo-adapter.js';

afterEach(() => nock.cleanAll());

describe('smoke', () => {
  it('calls through', async () => {
    nock(BASE)
      .post('/echo/lookup')
      .reply(200, ok({ exists: true, status: 'ACTIVE' }));
    const g = createGateway({
      upstreams: { echo: echo({ baseUrl: BASE, auth: { type: 'bearer', token: 't' } }) },
      logger: pino({ level: 'silent' }),
    });
    const r = await g.echo.lookup(PERSON, CTX);
    expect(r).toMatchObject({ status: 'ok', data: { found: true, status: 'ACTIVE' }, meta: { attempts: 1 } });
    await g.close();
  });
});
