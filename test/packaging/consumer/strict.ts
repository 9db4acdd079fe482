/**
 * A consumer of the published types, compiled by test/packaging/consumer-types.test.ts in a
 * project that has only the packed tarball, TypeScript and @types/node (no optional peer), under
 * `strict`, `exactOptionalPropertyTypes`, `skipLibCheck: false`, NodeNext, as an ES module
 * (`strict.mts`) and as CommonJS (`strict.cts`). Options are filled from values that may be
 * undefined, as configuration read from the environment is. Compiled only, never run. The test
 * adds an import of each entry point of package.json `exports`.
 */
import {
  type CallContext,
  createGateway,
  type GatewayOptions,
  type IssueCode,
  ISSUE_CODES,
  isGatewayError,
  memoryOutbox,
  type PersonalDataContext,
  type PgPool,
  type PolicyOptions,
  postgresAuditSink,
  postgresOutbox,
  type RedisClient,
  redisQuota,
} from 'vn-national-gateway';
import { landRegistry, taxRegistry, vneid } from 'vn-national-gateway/adapters';
import { parsePersonalId } from 'vn-national-gateway/identifiers';
import { fixtures, MOCK_CREDENTIALS, startMockPlatforms } from 'vn-national-gateway/testing';
import { undiciTransport } from 'vn-national-gateway/undici';

/** What a city service reads from its environment: anything may be missing. */
interface Config {
  baseUrl: string;
  client?: string | undefined;
  policy?: PolicyOptions | undefined;
  databaseUrl?: string | undefined;
  pool?: PgPool | undefined;
  redis?: RedisClient | undefined;
  proxy?: string | undefined;
  maxSockets?: number | undefined;
  actor?: string | undefined;
}

export async function consumer(config: Config): Promise<string> {
  const platforms = await startMockPlatforms({ port: 0, host: undefined, admin: undefined });
  const auth = {
    type: 'oauth2',
    tokenUrl: `${platforms.url}/token`,
    clientId: MOCK_CREDENTIALS.clientId,
    clientSecret: MOCK_CREDENTIALS.clientSecret,
    scope: undefined,
  } as const;
  const transport = undiciTransport({ proxy: config.proxy, maxSockets: config.maxSockets, ca: undefined });
  const upstreams = {
    vneid: vneid({ baseUrl: config.baseUrl, auth, client: config.client, policy: config.policy }),
    land: landRegistry({ baseUrl: config.baseUrl, auth, transport, hooks: undefined }),
    tax: taxRegistry({ baseUrl: config.baseUrl, auth, profile: undefined }),
  };
  const options: GatewayOptions<typeof upstreams> = {
    upstreams,
    client: config.client,
    policy: { retry: { maxAttempts: undefined }, operations: { verifyCitizen: undefined } },
    outbox: config.databaseUrl
      ? postgresOutbox({ connectionString: config.databaseUrl, pool: undefined, schema: undefined })
      : memoryOutbox(),
    audit: undefined,
    drainer: { autoStart: undefined, pollMs: config.maxSockets },
    cache: { maxBytes: undefined },
    quota: config.redis ? redisQuota({ client: config.redis, keyPrefix: undefined }) : undefined,
    tracing: undefined,
  };
  const gateway = createGateway(options);
  const sink = postgresAuditSink({
    pool: config.pool,
    connectionString: config.databaseUrl,
    table: undefined,
  });
  const context: PersonalDataContext = {
    purpose: 'verify',
    actor: config.actor ?? 'officer-1',
    dossierCode: undefined,
  };
  const optional: CallContext = { purpose: undefined, actor: config.actor };
  const citizen = fixtures.citizens[0]!;
  try {
    const r = await gateway.vneid.verifyCitizen(
      { personalId: citizen.personalId, fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth },
      context,
    );
    await gateway.tax.lookupTaxCode({ taxCode: fixtures.enterprises[0]!.taxCode }, optional);
    const id = parsePersonalId(citizen.personalId);
    return `${r.status} ${id.ok}`;
  } catch (e) {
    if (isGatewayError(e, 'VALIDATION')) {
      const codes: readonly IssueCode[] = ISSUE_CODES;
      return (e.issues ?? []).map((i) => (i.code && codes.includes(i.code) ? i.code : i.path)).join(',');
    }
    throw e;
  } finally {
    await sink.close?.();
    await gateway.close();
    await platforms.close();
  }
}
