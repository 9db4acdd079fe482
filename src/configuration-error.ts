/** Its own module (no zod), so that modules loaded lazily, such as the outbox stores, can throw it. */

/** Thrown by `createGateway` (and adapter factories) for bad configuration. */
export class ConfigurationError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
