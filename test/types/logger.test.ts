import pino from 'pino';
import { describe, expectTypeOf, it } from 'vitest';
import { createGateway, type GatewayLogger } from 'vn-national-gateway';
import { echo } from '../helpers/echo-adapter.js';

/**
 * A structural copy of Fastify's `FastifyBaseLogger` (fastify/types/logger.d.ts): pino's
 * `BaseLogger` methods picked, and a child that returns the same type. No fastify dependency.
 */
interface FastifyLogFn {
  (msg: string, ...args: unknown[]): void;
  (obj: unknown, msg?: string, ...args: unknown[]): void;
}
interface FastifyBaseLoggerLike {
  level: string;
  fatal: FastifyLogFn;
  error: FastifyLogFn;
  warn: FastifyLogFn;
  info: FastifyLogFn;
  debug: FastifyLogFn;
  trace: FastifyLogFn;
  silent: FastifyLogFn;
  child(
    bindings: Record<string, unknown>,
    options?: { level?: string; redact?: unknown },
  ): FastifyBaseLoggerLike;
}

describe('GatewayLogger', () => {
  it('accepts pino and a Fastify app.log', () => {
    expectTypeOf(pino()).toExtend<GatewayLogger>();
    expectTypeOf(pino().child({ a: 1 })).toExtend<GatewayLogger>();
    expectTypeOf<FastifyBaseLoggerLike>().toExtend<GatewayLogger>();
    const appLog = {} as FastifyBaseLoggerLike;
    const build = () =>
      createGateway({
        upstreams: { echo: echo({ baseUrl: 'http://x', auth: { type: 'bearer', token: 't' } }) },
        logger: appLog,
      });
    expectTypeOf(build).toBeFunction();
  });

  it('refuses something that is not a logger', () => {
    expectTypeOf<Console>().not.toExtend<GatewayLogger>();
    // @ts-expect-error a logger without child() cannot make the per-upstream loggers
    const noChild: GatewayLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
    expectTypeOf(noChild).toEqualTypeOf<GatewayLogger>();
  });
});
