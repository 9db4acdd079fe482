/** Loopback servers for the transport contract: a plain HTTP upstream, a TLS one, and a proxy. */
import {
  createServer,
  type IncomingMessage,
  request as httpRequest,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface Upstream {
  url: string;
  /** Sockets the server accepted, to count keep-alive reuse. */
  connections: number;
  hits: number;
  handler: Handler;
  close(): Promise<void>;
}

function serve(server: Server | TlsServer, scheme: 'http' | 'https'): Promise<Upstream> {
  const up: Upstream = {
    url: '',
    connections: 0,
    hits: 0,
    handler: (_q, res) => res.end(),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', () => void up.connections++);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    up.hits++;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => up.handler(req, res, body));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      up.url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(up);
    }),
  );
}

export const httpUpstream = () => serve(createServer({ keepAliveTimeout: 30_000 }), 'http');

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA, unknown to the server and the client. */
  otherCaCert: string;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, both issued by the CA. */
export async function makePki(): Promise<Pki> {
  const caExt = [
    { name: 'basicConstraints' as const, cA: true, critical: true },
    { name: 'keyUsage' as const, keyCertSign: true, cRLSign: true, critical: true },
  ];
  const ca = await generate([{ name: 'commonName', value: 'Test CA (vn-national-gateway)' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: caExt,
  });
  const other = await generate([{ name: 'commonName', value: 'Unknown CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: caExt,
  });
  const signer = { key: ca.private, cert: ca.cert };
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: signer,
    extensions: [
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      { name: 'extKeyUsage', serverAuth: true },
    ],
  });
  const client = await generate([{ name: 'commonName', value: 'hcmc-client' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: signer,
    extensions: [{ name: 'extKeyUsage', clientAuth: true }],
  });
  return {
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.private,
    clientCert: client.cert,
    clientKey: client.private,
    otherCaCert: other.cert,
  };
}

/** An HTTPS upstream that demands a client certificate issued by the test CA. */
export const tlsUpstream = (pki: Pki, options: { requireClientCert: boolean }) =>
  serve(
    createTlsServer({
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.caCert,
      requestCert: options.requireClientCert,
      rejectUnauthorized: options.requireClientCert,
      keepAliveTimeout: 30_000,
    }),
    'https',
  );

export interface TestProxy {
  url: string;
  /** `CONNECT host:port` targets, and absolute-form URLs of forwarded plain requests. */
  seen: string[];
  close(): Promise<void>;
}

/** A small forward proxy: tunnels `CONNECT` and forwards absolute-form plain HTTP requests. */
export async function startProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const out = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream).add(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
