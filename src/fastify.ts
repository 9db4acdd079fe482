/**
 * `vn-national-gateway/fastify`: the gateway as a Fastify plugin (telemetry routes, closing with
 * the app, the request id as correlation id). Fastify is an optional peer dependency: only this
 * entry's types refer to it, and at run time it uses only the app it is given.
 */
export {
  type DecoratedGateway,
  type FastifyGatewayOptions,
  type FastifyGatewayRoutes,
  type FastifyGatewayTypes,
  fastifyGateway,
} from './fastify/plugin.js';
