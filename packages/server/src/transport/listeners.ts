import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type ServerOptions as Http2ServerOptions,
  type IncomingHttpHeaders,
  type SecureServerOptions,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { reportCallbackError } from '@grpc-aio/errors/internal';
import { CERTIFICATE_FETCH_FAILED, type CredentialsSpec, secureContextOptions } from '../credentials.js';
import type { BindTarget } from './addresses.js';
import type { TransportSettings } from './transport-settings.js';

// The node:http2 servers a transport listens with, one per bound address: their limits, TLS
// (certificates fetched per connection for dynamic credentials), and which protocol a connection
// speaks: h2, or with gRPC-Web also HTTP/1.1 (chosen by ALPN over TLS, by the first bytes on a
// plaintext port).

const noop = (): void => {};

/** Where a listener's connections go: the transport's handlers, bound to the listener's credentials. */
export interface ListenerEvents {
  /** A connection was accepted, before it says anything. */
  readonly connection: (socket: Socket, spec: CredentialsSpec) => void;
  /** A connection began HTTP/2. */
  readonly session: (session: ServerHttp2Session, spec: CredentialsSpec) => void;
  /** A request on an HTTP/2 connection (the listener of Node's 'stream' event, as it is called). */
  readonly stream: (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flags: number,
    rawHeaders: string[],
  ) => void;
  /** A connection that speaks HTTP/1.1 (only with gRPC-Web). */
  readonly http1Connection: (socket: Socket, spec: CredentialsSpec) => void;
}

function serverOptions(settings: TransportSettings): Http2ServerOptions {
  return {
    // Per-stream buffering is bounded by the calls themselves (they pause a stream that reads
    // ahead); Node's session-wide 10 MB cap would refuse new streams of a busy connection, so the
    // default is no cap, as grpc-js's (`grpc-node.max_session_memory`, in MB, sets one).
    maxSessionMemory: settings.maxSessionMemoryMb ?? Number.MAX_SAFE_INTEGER,
    maxHeaderListPairs: 4096,
    settings: {
      enablePush: false,
      ...(settings.maxConcurrentStreams === undefined
        ? {}
        : { maxConcurrentStreams: settings.maxConcurrentStreams }),
      ...(settings.maxMetadataSize === undefined ? {} : { maxHeaderListSize: settings.maxMetadataSize }),
    },
  };
}

/** A server (not listening yet) for connections with `spec`, whose events go to `events`. */
export function createListener(
  spec: CredentialsSpec,
  settings: TransportSettings,
  events: ListenerEvents,
): Http2Server | Http2SecureServer {
  let server: Http2Server | Http2SecureServer;
  const web = settings.grpcWeb !== undefined;
  if (spec.kind === 'ssl' || spec.kind === 'dynamic') {
    const tls = spec.kind === 'ssl' ? spec.material : spec.initial;
    const options: SecureServerOptions = {
      ...serverOptions(settings),
      ...secureContextOptions(tls),
      allowHTTP1: false,
      // With gRPC-Web, clients may pick http/1.1 too: Node hands those connections to
      // 'unknownProtocol' (allowHTTP1 stays off: its compatibility layer would take every stream).
      ...(web ? { ALPNCallback: selectProtocol } : { ALPNProtocols: ['h2'] }),
      handshakeTimeout: Number.isFinite(settings.connection.handshakeTimeoutMs)
        ? settings.connection.handshakeTimeoutMs
        : 0,
      requestCert: spec.requireClientAuth || tls.roots !== undefined,
      rejectUnauthorized: spec.requireClientAuth,
    };
    const secure = createSecureServer(options);
    if (spec.kind === 'dynamic') {
      // Before the TLS socket of a connection is made (tls.Server's own 'connection' listener),
      // so that the handshake uses the certificates fetched for it.
      // The text of the last refusal logged: the same problem on every connection is logged once.
      let lastRefusal: string | undefined;
      secure.prependListener('connection', () => {
        const fetched = spec.fetch();
        if (fetched === undefined) return;
        try {
          secure.setSecureContext({
            ...secureContextOptions(fetched),
            requestCert: spec.requireClientAuth || fetched.roots !== undefined,
            rejectUnauthorized: spec.requireClientAuth,
          } as SecureServerOptions);
          lastRefusal = undefined;
        } catch (error) {
          // Certificates node:tls refuses (a bad PEM, a key that is not the certificate's): the
          // current ones stay, as when the fetcher fails.
          const refusal = String(error);
          if (refusal === lastRefusal) return;
          lastRefusal = refusal;
          reportCallbackError(CERTIFICATE_FETCH_FAILED, error);
        }
      });
    }
    // A client that offers no h2 (or plaintext to this port) is disconnected at once; with
    // gRPC-Web, one that chose http/1.1 (or no ALPN) speaks HTTP/1.1.
    secure.on('unknownProtocol', (socket: TLSSocket) => {
      if (web) events.http1Connection(socket, spec);
      else socket.destroy();
    });
    secure.on('tlsClientError', noop);
    server = secure;
  } else {
    server = createServer(serverOptions(settings));
  }
  server.on('connection', (socket: Socket) => events.connection(socket, spec));
  server.on('session', (session: ServerHttp2Session) => events.session(session, spec));
  server.on('stream', events.stream);
  server.on('sessionError', noop);
  if (web && spec.kind !== 'ssl' && spec.kind !== 'dynamic') {
    sniffHttp1(server as Http2Server, settings.connection.handshakeTimeoutMs, (socket) =>
      events.http1Connection(socket, spec),
    );
  }
  return server;
}

/** ALPN with gRPC-Web: h2 when offered, else http/1.1 (no protocol in common fails the handshake). */
function selectProtocol({ protocols }: { protocols: string[] }): string | undefined {
  if (protocols.includes('h2')) return 'h2';
  return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
}

/**
 * gRPC-Web on a plaintext port: Node's HTTP/2 server takes every connection as HTTP/2 (it has no
 * HTTP/1.1 fallback without TLS), so the first bytes decide: the HTTP/2 preface goes to it, anything
 * else to `http1`.
 */
function sniffHttp1(server: Http2Server, timeoutMs: number, http1: (socket: Socket) => void): void {
  // net.Server registers the listener given to its constructor (Node's HTTP/2 connection
  // listener) for 'connection': it runs only for connections that start with the preface.
  const [http2Listener] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (http2Listener === undefined) return;
  server.removeListener('connection', http2Listener);
  server.on('connection', (socket: Socket) => {
    if (socket.destroyed) return;
    sniffProtocol(socket, timeoutMs, (http2) => {
      if (http2) http2Listener.call(server, socket);
      else http1(socket);
    });
  });
}

/**
 * Reads the first bytes of a plaintext connection and calls `route(true)` for the HTTP/2 preface,
 * `route(false)` for anything else; the bytes are put back for whoever reads the connection next.
 */
function sniffProtocol(socket: Socket, timeoutMs: number, route: (http2: boolean) => void): void {
  let seen: Buffer | undefined;
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => socket.destroy(), timeoutMs).unref()
    : undefined;
  const stop = (): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', stop);
  };
  const onData = (chunk: Buffer): void => {
    seen = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
    // 'PR' begins the preface ('PRI * HTTP/2.0'), and no HTTP/1.1 method.
    if (seen.length < 2 && seen[0] === 0x50) return;
    stop();
    socket.pause();
    socket.unshift(seen);
    const http2 = seen[0] === 0x50 && seen[1] === 0x52;
    // Outside the socket's read callback: the next reader may take the socket's handle over.
    process.nextTick(() => {
      if (!socket.destroyed) route(http2);
    });
  };
  socket.on('data', onData);
  socket.once('close', stop);
}

/** Starts `server` listening on `target`; resolves to the bound port (0 for a Unix socket). */
export function listen(
  server: Http2Server | Http2SecureServer,
  target: BindTarget,
  reusePort: boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    const onListening = (): void => {
      server.off('error', onError);
      server.on('error', noop);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? (address as AddressInfo).port : 0);
    };
    if ('path' in target) server.listen(target.path, onListening);
    // `reusePort` is a listen() option of Node 22.12+ (reusePort() in server-settings.ts checks).
    else
      server.listen(
        { port: target.port, host: target.host, ...(reusePort ? { reusePort } : {}) },
        onListening,
      );
  });
}
