/**
 * A ward's dossier counter as a small HTTP service (node:http, no framework): an officer's desk
 * application posts a land change dossier, and the service verifies the citizen with VNeID, looks
 * up the parcel and submits the registration to the land registry through the gateway. When a
 * central platform is down the dossier is still accepted: the verification is "pending", the
 * registration queued in the outbox, and both are delivered when the platform recovers.
 *
 *   npx tsx examples/ward-counter/server.ts        (see README.md beside this file)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import pino, { type Logger } from 'pino';
import {
  type AuthOptions,
  type CallResult,
  createGateway,
  type DrainerOptions,
  type ErrorCode,
  type GatewayError,
  isGatewayError,
  memoryOutbox,
  type PolicyOptions,
  sqliteOutbox,
} from 'vn-national-gateway';
import { landRegistry, vneid } from 'vn-national-gateway/adapters';
import { z } from 'zod';

/** Options of {@link createWardCounter}. */
export interface WardCounterOptions {
  /** Root URL of the national platforms (LGSP/NDXP): every adapter's `baseUrl`. */
  baseUrl: string;
  auth: AuthOptions;
  /** This system's X-Road-Client id. @default 'VN/GOV/000.00.00.H29/hcmc-tthc' */
  client?: string | undefined;
  /** SQLite file of the outbox, so queued dossiers survive a restart. @default in memory */
  outboxPath?: string | undefined;
  /** @default 8080 (0 picks a free port; read it from `url`) */
  port?: number | undefined;
  /** @default '127.0.0.1' */
  host?: string | undefined;
  /** @default pino at 'info' to stdout */
  logger?: Logger | undefined;
  /** Gateway policy overrides (e.g. shorter backoff in tests). */
  policy?: PolicyOptions | undefined;
  drainer?: DrainerOptions | undefined;
}

/** A running counter service. */
export interface WardCounter {
  server: Server;
  /** e.g. `http://127.0.0.1:8080` */
  url: string;
  gateway: ReturnType<typeof buildGateway>;
  /** Stops listening, then closes the gateway (drainer, sockets, outbox file). */
  close(): Promise<void>;
}

/** What the desk application posts to `POST /dossiers`. The gateway checks the rules of each field. */
const dossierSchema = z.object({
  /** Dossier code (mã hồ sơ) of the one-stop system: the registration's idempotency key. */
  dossierCode: z.string(),
  /** Procedure code (mã thủ tục), the `purpose` of every call. */
  procedureCode: z.string(),
  /** The officer at the counter, the `actor` of every call. */
  officer: z.string(),
  citizen: z.object({ personalId: z.string(), fullName: z.string(), dateOfBirth: z.string() }),
  parcel: z.object({ wardCode: z.string(), mapSheet: z.number(), parcelNumber: z.number() }),
  /** Kind of change (loại biến động), e.g. `CHUYEN_NHUONG`. */
  changeType: z.string(),
});
type Dossier = z.infer<typeof dossierSchema>;

/** One step of a dossier as the officer sees it: answered now, from the last good answer, or later. */
type Step<T> =
  | ({ status: 'live' } & T)
  | ({ status: 'stale'; ageMs: number } & T)
  | { status: 'queued'; ticket: string; note: string };

function step<D, T>(r: CallResult<D>, pick: (data: D) => T, pendingNote: string): Step<T> {
  if (r.status === 'queued') return { status: 'queued', ticket: r.ticket, note: pendingNote };
  if (r.status === 'stale') return { status: 'stale', ageMs: r.meta.ageMs, ...pick(r.data) };
  return { status: 'live', ...pick(r.data) };
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 422,
  NOT_FOUND: 404,
  REJECTED: 422,
  AUTH: 502,
  CONTRACT: 502,
};

/** A gateway error, with the step of the dossier it stopped. */
class StepFailed extends Error {
  constructor(
    readonly step: 'citizen' | 'parcel' | 'registration',
    readonly error: GatewayError,
  ) {
    super(error.message, { cause: error });
  }
}

const at = (name: StepFailed['step']) => (e: unknown) => {
  throw isGatewayError(e) ? new StepFailed(name, e) : e;
};

function buildGateway(options: WardCounterOptions, logger: Logger) {
  const { baseUrl, auth } = options;
  return createGateway({
    client: options.client ?? 'VN/GOV/000.00.00.H29/hcmc-tthc',
    upstreams: { vneid: vneid({ baseUrl, auth }), land: landRegistry({ baseUrl, auth }) },
    outbox: options.outboxPath ? sqliteOutbox({ path: options.outboxPath }) : memoryOutbox(),
    logger,
    policy: options.policy,
    drainer: options.drainer,
  });
}

/** Starts the counter service; resolves once it listens. */
export async function createWardCounter(options: WardCounterOptions): Promise<WardCounter> {
  const logger = options.logger ?? pino({ level: 'info' });
  const gateway = buildGateway(options, logger);

  // A queued call was delivered: this is where the city system updates the dossier.
  gateway.on('outbox:delivered', (e) => {
    const update = { dossierCode: e.dossierCode, ticket: e.ticket, operation: e.operation };
    const result = e.result as { verified?: boolean; receiptId?: string };
    if (e.operation === 'verifyCitizen' && result.verified === false) {
      logger.warn(update, 'dossier updated: citizen NOT verified, call the applicant back');
    } else {
      logger.info({ ...update, verified: result.verified, receiptId: result.receiptId }, 'dossier updated');
    }
  });
  gateway.on('outbox:dead', (e) => {
    logger.error({ dossierCode: e.dossierCode, ticket: e.ticket, code: e.code }, 'dossier needs an officer');
  });

  async function receive(dossier: Dossier) {
    const ctx = { purpose: dossier.procedureCode, actor: dossier.officer, dossierCode: dossier.dossierCode };
    // defer: a citizen seen for the first time while VNeID is down is queued, not turned away.
    const verification = await gateway.vneid
      .verifyCitizen(dossier.citizen, { ...ctx, defer: true })
      .catch(at('citizen'));
    if (verification.status !== 'queued' && !verification.data.verified) {
      return {
        status: 422,
        body: {
          dossierCode: dossier.dossierCode,
          accepted: false,
          error: {
            code: 'CITIZEN_MISMATCH',
            step: 'citizen',
            userMessage: 'Thông tin công dân không khớp với Cơ sở dữ liệu quốc gia về dân cư.',
            ...verification.data,
          },
        },
      };
    }
    const parcel = await gateway.land.getParcel(dossier.parcel, { ...ctx, defer: true }).catch(at('parcel'));
    const registration = await gateway.land
      .submitRegistration(
        {
          dossierCode: dossier.dossierCode,
          ...dossier.parcel,
          changeType: dossier.changeType,
          applicant: { personalId: dossier.citizen.personalId, fullName: dossier.citizen.fullName },
        },
        ctx,
      )
      .catch(at('registration'));

    const steps = {
      citizen: step(verification, (d) => ({ verified: d.verified }), 'verification pending'),
      parcel: step(
        parcel,
        (d) => ({
          wardCode: d.wardCode,
          wardName: d.wardName,
          areaM2: d.areaM2,
          landUseCode: d.landUseCode,
          restrictions: d.restrictions,
        }),
        'parcel check pending',
      ),
      registration: step(registration, (d) => ({ receiptId: d.receiptId }), 'submission pending'),
    };
    const pending = Object.values(steps).some((s) => s.status === 'queued');
    return {
      status: pending ? 202 : 200,
      body: {
        dossierCode: dossier.dossierCode,
        accepted: true,
        userMessage: pending
          ? 'Đã tiếp nhận hồ sơ; một số bước đang chờ hệ thống trung ương và sẽ được cập nhật tự động.'
          : 'Đã tiếp nhận hồ sơ.',
        steps,
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://counter').pathname;
    if (req.method === 'GET' && path === '/health') {
      const health = await gateway.health();
      return json(res, health.status === 'down' ? 503 : 200, health);
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': gateway.registry.contentType });
      res.end(await gateway.metrics());
      return;
    }
    if (req.method === 'POST' && path === '/dossiers') {
      const parsed = dossierSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        return json(res, 400, {
          error: {
            code: 'BAD_REQUEST',
            userMessage: 'Hồ sơ gửi lên không đúng định dạng.',
            fields: parsed.error.issues.map((i) => i.path.join('.')),
          },
        });
      }
      const { dossierCode } = parsed.data;
      try {
        const { status, body } = await receive(parsed.data);
        logger.info({ dossierCode, status }, 'dossier received');
        return json(res, status, body);
      } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
        logger.info({ dossierCode, step: e.step, code: e.error.code }, 'dossier refused');
        return json(res, HTTP_STATUS[e.error.code] ?? 503, {
          dossierCode,
          accepted: false,
          error: errorBody(e.step, e.error),
        });
      }
    }
    return json(res, 404, { error: { code: 'NOT_FOUND', userMessage: 'Không có đường dẫn này.' } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      logger.error({ err: (e as Error).message }, 'request failed');
      json(res, 500, { error: { code: 'INTERNAL', userMessage: 'Lỗi hệ thống, vui lòng thử lại.' } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    gateway,
    close() {
      closing ??= (async () => {
        const closed = new Promise((resolve) => server.close(resolve));
        server.closeAllConnections();
        await closed;
        await gateway.close();
      })();
      return closing;
    },
  };
}

/** What the desk application shows: a stable code and the Vietnamese text for the officer. */
function errorBody(step: string, e: GatewayError) {
  return {
    code: e.code,
    step,
    userMessage: e.userMessage,
    fields: e.issues?.map((i) => i.path),
    requestId: e.requestId,
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 64 * 1024) return undefined; // reported as a malformed dossier
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // reported as a malformed dossier
  }
}

// Run as a program: `npx tsx examples/ward-counter/server.ts`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  let baseUrl = env.LGSP_URL;
  let auth: AuthOptions;
  let stopMock = async () => {};
  if (baseUrl) {
    auth = {
      type: 'oauth2',
      tokenUrl: env.LGSP_TOKEN_URL ?? `${baseUrl}/token`,
      clientId: env.LGSP_CLIENT_ID ?? '',
      clientSecret: env.LGSP_CLIENT_SECRET ?? '',
    };
  } else {
    // No platform configured: run against the mock platforms (imported only here).
    const { MOCK_CREDENTIALS, startMockPlatforms } = await import('vn-national-gateway/testing');
    const mock = await startMockPlatforms({ port: Number(env.MOCK_PORT ?? 0) });
    baseUrl = mock.url;
    auth = { type: 'oauth2', tokenUrl: mock.urls.token, ...MOCK_CREDENTIALS };
    stopMock = () => mock.close();
    console.log(`LGSP_URL not set: using the mock platforms at ${mock.url}`);
  }
  const counter = await createWardCounter({
    baseUrl,
    auth,
    outboxPath: env.OUTBOX_PATH || undefined,
    port: Number(env.PORT ?? 8080),
  });
  console.log(`ward counter listening on ${counter.url}`);
  const stop = async () => {
    await counter.close();
    await stopMock();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
