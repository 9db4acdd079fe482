/** TLS material for the upstream (never for the proxy itself). */
export interface TransportTlsOptions {
  /** Extra CA certificates (PEM) trusted for the upstream, replacing Node's bundle. @default Node's bundled CAs */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Client certificate chain (PEM) for mutual TLS; needs `key`. @default none */
  cert?: string | Buffer | undefined;
  /** Private key (PEM) of the client certificate. @default none */
  key?: string | Buffer | undefined;
  /** Passphrase of an encrypted `key`. @default none */
  passphrase?: string | undefined;
}
