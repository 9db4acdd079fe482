/**
 * The hostile-upstream harness (issue 11): a server on 127.0.0.1 that misbehaves on purpose (at the
 * HTTP level or on the raw socket), one trace-level pino log per test file kept in memory, every
 * event and error of the file kept as text, and the scan that proves none of them carries a
 * personal ID, a name, a date of birth, a token or a secret used by the file, in any common encoding.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  createGateway,
  type GatewayCore,
  type GatewayError,
  type GatewayEventName,
  isGatewayError,
  type PolicyOptions,
} from 'vn-national-gateway';
import { echo } from '../helpers/echo-adapter.js';

/** The personal values every hostile file uses (the citizen of the suite) and the secrets. */
export const PERSONAL_ID = '079203001234';
export const OLD_ID = '025123456';
export const NAME = 'Nguyễn Văn Bình';
export const DOB = '1985-03-12';
export const TOKEN = 'tok-SECRET-4f9a2c';
export const SECRET = 'client-secret-77e1';
export const PERSON = { personalId: PERSONAL_ID, fullName: NAME };
export const CTX = { purpose: '1.001234', actor: 'officer-17', dossierCode: 'HS-1' };

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const EVENTS: readonly GatewayEventName[] = [
  'call',
  'retry',
  'breaker:open',
  'breaker:half-open',
  'breaker:close',
  'fallback',
  'contract:violation',
  'contract:unknown-value',
  'outbox:queued',
  'outbox:delivered',
  'outbox:dead',
];

/** The ways a sensitive value may leak in text: raw, folded, digits only, URL-, JSON- and base64-encoded. */
export function encodings(value: string): string[] {
  const folded = value.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
  const forms = new Set<string>([
    value,
    value.normalize('NFD'),
    folded,
    value.toUpperCase(),
    folded.toUpperCase(),
    folded.toLowerCase(),
    encodeURIComponent(value),
    encodeURIComponent(value).replaceAll('%20', '+'),
    JSON.stringify(value).slice(1, -1),
    // pino escapes nothing above ASCII, but a JSON encoder may: \u-escaped form.
    value.replace(/[^\x20-\x7E]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    Buffer.from(value).toString('base64').replace(/=+$/, ''),
    Buffer.from(value).toString('base64url'),
    Buffer.from(value).toString('hex'),
  ]);
  const digits = value.replace(/\D/g, '');
  if (digits.length >= 6) forms.add(digits);
  // A date of birth also as dd/MM/yyyy and ddMMyyyy.
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) {
    forms.add(`${date[3]}/${date[2]}/${date[1]}`);
    forms.add(`${date[3]}${date[2]}${date[1]}`);
  }
  return [...forms].filter((f) => f.length >= 6);
}

/** {@link hostileHarness} for the calling test file: started before its tests, stopped and scanned after them. */
export function useHostileHarness() {
  const h = hostileHarness();
  beforeAll(() => h.start());
  afterAll(async () => {
    await h.stop();
    h.scan();
  });
  return h;
}

/** One hostile file's server, log and scan. */
export function hostileHarness() {
  let handler: Handler = (_q, res) => res.end();
  let server: Server | undefined;
  let base = '';
  const lines: string[] = [];
  /** Events and errors as text, scanned like the log. */
  const seen: string[] = [];
  const sensitive = new Set<string>([PERSONAL_ID, OLD_ID, NAME, DOB, TOKEN, SECRET]);
  const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });

  const harness = {
    lines,
    logger,
    get base() {
      return base;
    },
    /** Sets what the server does with the next requests. */
    serve(h: Handler) {
      handler = h;
    },
    /** Adds a value the file uses that must never be seen (e.g. a token a case issued). */
    sensitive(value: string) {
      sensitive.add(value);
    },
    async start() {
      server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => handler(req, res, body));
      });
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async stop() {
      server?.closeAllConnections();
      await new Promise((r) => server?.close(r));
    },
    /** A gateway on the hostile server, its events kept as text. */
    gateway(options: { policy?: PolicyOptions; auth?: Parameters<typeof echo>[0]['auth'] } = {}) {
      const g = createGateway({
        upstreams: {
          echo: echo({
            baseUrl: base,
            auth: options.auth ?? { type: 'none' },
            policy: options.policy ?? FAST,
            client: 'VN/GOV/000.00.00.H29/test',
          }),
        },
        logger,
        drainer: { autoStart: false },
      });
      harness.watch(g);
      return g;
    },
    /** Keeps every event of a gateway as text, for the scan. */
    watch(g: GatewayCore) {
      for (const name of EVENTS) g.on(name, (e) => void seen.push(`${name} ${JSON.stringify(e)}`));
    },
    /**
     * Runs one case bounded in time and heap and returns its typed error (kept for the scan).
     * @param maxMs wall-clock bound of the case
     */
    async expectError(
      call: () => Promise<unknown>,
      close: () => Promise<void>,
      maxMs = 3000,
    ): Promise<GatewayError> {
      const heapBefore = process.memoryUsage().heapUsed;
      const started = Date.now();
      let error: GatewayError | undefined;
      try {
        await call();
      } catch (e) {
        if (!isGatewayError(e)) throw e;
        error = e;
      } finally {
        await close();
      }
      expect(Date.now() - started).toBeLessThan(maxMs);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
      if (!error) throw new Error('expected a typed error');
      harness.keep(error);
      return error;
    },
    /** Keeps an error's caller-visible text for the scan. */
    keep(error: GatewayError) {
      seen.push(JSON.stringify(error.toJSON()), error.message, error.userMessage, String(error.stack));
    },
    /** The scan: no sensitive value, in any encoding, in the log, the events or the errors. */
    scan() {
      expect(lines.length).toBeGreaterThan(10); // the log was really captured
      const text = [...lines, ...seen].join('\n');
      const leaks: string[] = [];
      for (const value of sensitive)
        for (const form of encodings(value)) if (text.includes(form)) leaks.push(`${value} as ${form}`);
      expect(leaks).toEqual([]);
    },
  };
  return harness;
}

/** One attempt, bounded; long enough that a busy shared machine does not turn an answer into TIMEOUT. */
export const FAST: PolicyOptions = {
  retry: { maxAttempts: 1 },
  attemptTimeoutMs: 1000,
  deadlineMs: 1500,
  breaker: { minimumCalls: 1000 },
};

export const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** Answers with raw bytes on the socket, bypassing Node's HTTP writer (protocol errors). */
export const raw = (req: IncomingMessage, bytes: string | Buffer) => {
  req.socket.end(bytes);
};
