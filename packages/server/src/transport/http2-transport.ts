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
import { Compression, StatusCode } from '@grpc-aio/core';
import { type PeerAuth, peerAuth } from '../auth-context.js';
import { type ChannelzServer, dropSocket, newSocket, socketAddress } from '../channelz.js';
import { type CredentialsSpec, secureContextOptions } from '../credentials.js';
import type { RpcHost } from '../rpc-host.js';
import { ServerRpc } from '../server-rpc.js';
import { type BindTarget, bindTargets, formatAddress, isLoopback } from './addresses.js';
import { acceptedAlgorithms, algorithmOf } from './compression.js';
import { ConnectionKeeper, type ConnectionSettings } from './connection-keeper.js';
import { parseGrpcTimeout } from './grpc-timeout.js';
import {
  type CallSettings,
  type ConnectionInfo,
  Http2ServerCall,
  refuseCall,
  refuseHttp,
} from './http2-call.js';
import { invalidBinaryHeader } from './wire-metadata.js';

/** The connection settings of a server, from its channel arguments. */
export interface TransportSettings extends CallSettings {
  /** `grpc.max_concurrent_streams`. */
  readonly maxConcurrentStreams: number | undefined;
  /** `grpc.max_metadata_size`: the largest header list a client may send (SETTINGS_MAX_HEADER_LIST_SIZE). */
  readonly maxMetadataSize: number | undefined;
  /** `grpc.enable_channelz` (default on): the server and its sockets are listed in channelz. */
  readonly enableChannelz: boolean;
  /** `grpc-node.max_session_memory` (grpc-js's name): Node's per-connection memory cap, in MB. */
  readonly maxSessionMemoryMb: number | undefined;
  /** `grpc.so_reuseport` 1, on a Node that can (22.12+). */
  readonly reusePort: boolean;
  /** Keepalive, ping enforcement, idleness, age, handshake timeout. */
  readonly connection: ConnectionSettings;
}

/** What the transport hands its calls to. */
export interface TransportHost {
  readonly rpcHost: RpcHost;
  /** A new RPC, its metadata in hand: run it, hold it until start(), or refuse it. */
  accept(rpc: ServerRpc): void;
}

// The texts of requests refused before they reach a handler: C-core's (1.84, hpack_parse_result.cc,
// call.cc) where it has one.
/** A request header that breaks the protocol's grammar (`:method`, `te`, `grpc-timeout`). */
export const badHeader = (key: string): string => `Error parsing '${key}' metadata`;
/** A `-bin` header whose value is not base64. */
export const badBinaryHeader = (key: string): string =>
  `Error parsing '${key}' metadata: illegal base64 encoding`;
/** A compression algorithm this server does not know (compression.md: UNIMPLEMENTED, with grpc-accept-encoding). */
export const unknownEncoding = (name: string): string => `Compression algorithm '${name}' is not supported.`;
/** An algorithm `grpc.compression_enabled_algorithms_bitset` turned off (C-core's text). */
export const disabledEncoding = (name: string): string => `Compression algorithm '${name}' is disabled.`;

const noop = (): void => {};

/** A header's value when it was sent once (Node gives an array only for a few repeated names). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function isGrpcContentType(value: string | undefined): boolean {
  if (value === 'application/grpc') return true;
  if (value === undefined || !value.startsWith('application/grpc')) return false;
  const rest = value.slice('application/grpc'.length);
  return rest === '' || rest.startsWith('+') || rest.startsWith(';');
}

interface Listener {
  readonly server: Http2Server | Http2SecureServer;
  readonly spec: CredentialsSpec;
}

/** gRPC over HTTP/2 on node:http2: listeners, connections, and the start of every call. */
export class Http2Transport {
  readonly #host: TransportHost;
  readonly #settings: TransportSettings;
  readonly #listeners: Listener[] = [];
  readonly #sessions = new Set<ServerHttp2Session>();
  readonly #sockets = new Set<Socket>();
  readonly #connections = new WeakMap<ServerHttp2Session, ConnectionInfo>();
  readonly #channelz: ChannelzServer | undefined;
  #closing = false;
  #drained: (() => void) | undefined;

  constructor(host: TransportHost, settings: TransportSettings, channelz: ChannelzServer | undefined) {
    this.#host = host;
    this.#settings = settings;
    this.#channelz = channelz;
  }

  /** The number of open connections. */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  // ---- listening ---------------------------------------------------------------------------------

  #options(): Http2ServerOptions {
    const settings = this.#settings;
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

  #createServer(spec: CredentialsSpec): Http2Server | Http2SecureServer {
    let server: Http2Server | Http2SecureServer;
    if (spec.kind === 'ssl' || spec.kind === 'dynamic') {
      const tls = spec.kind === 'ssl' ? spec.material : spec.initial;
      const options: SecureServerOptions = {
        ...this.#options(),
        ...secureContextOptions(tls),
        allowHTTP1: false,
        ALPNProtocols: ['h2'],
        handshakeTimeout: Number.isFinite(this.#settings.connection.handshakeTimeoutMs)
          ? this.#settings.connection.handshakeTimeoutMs
          : 0,
        requestCert: spec.requireClientAuth || tls.roots !== undefined,
        rejectUnauthorized: spec.requireClientAuth,
      };
      const secure = createSecureServer(options);
      if (spec.kind === 'dynamic') {
        // Before the TLS socket of a connection is made (tls.Server's own 'connection' listener),
        // so that the handshake uses the certificates fetched for it.
        secure.prependListener('connection', () => {
          const fetched = spec.fetch();
          if (fetched !== undefined) {
            secure.setSecureContext({
              ...secureContextOptions(fetched),
              requestCert: spec.requireClientAuth || fetched.roots !== undefined,
              rejectUnauthorized: spec.requireClientAuth,
            } as SecureServerOptions);
          }
        });
      }
      // A client that offers no h2 (or plaintext to this port) is disconnected at once.
      secure.on('unknownProtocol', (socket: TLSSocket) => socket.destroy());
      secure.on('tlsClientError', noop);
      server = secure;
    } else {
      server = createServer(this.#options());
    }
    server.on('connection', (socket: Socket) => this.#onConnection(socket, spec));
    server.on('session', (session: ServerHttp2Session) => this.#onSession(session, spec));
    server.on(
      'stream',
      (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) =>
        this.#onStream(stream, headers, rawHeaders),
    );
    server.on('sessionError', noop);
    return server;
  }

  /**
   * Listens on `address` with `spec`; resolves to the bound port (0 for a Unix socket).
   * @throws Error "Failed to bind to address ..." when nothing could be bound.
   */
  async bind(address: string, spec: CredentialsSpec): Promise<number> {
    let targets: BindTarget[];
    let tcp: boolean;
    try {
      ({ tcp, targets } = await bindTargets(address));
    } catch (error) {
      throw new Error(`Failed to bind to address ${address}: ${(error as Error).message}`, { cause: error });
    }
    if (spec.kind === 'local' && spec.connectionType === 0 && tcp) {
      throw new Error(
        `Failed to bind to address ${address}: local credentials of type UDS need a unix: address`,
      );
    }
    let port: number | undefined;
    let firstError: unknown;
    for (const target of targets) {
      const server = this.#createServer(spec);
      try {
        const bound = await listen(
          server,
          'path' in target ? target : { host: target.host, port: port ?? target.port },
          this.#settings.reusePort,
        );
        port ??= bound;
        this.#listeners.push({ server, spec });
        if (this.#channelz !== undefined) {
          const local = 'path' in target ? target : { host: target.host, port: bound };
          const name = 'path' in target ? `unix:${target.path}` : formatAddress(target.host, bound);
          const socket = newSocket(name, local, undefined);
          this.#channelz.listenSockets.set(socket.id, socket);
          server.once('close', () => {
            this.#channelz?.listenSockets.delete(socket.id);
            dropSocket(socket);
          });
        }
      } catch (error) {
        firstError ??= error;
        server.close();
      }
    }
    if (port === undefined) {
      const reason = (firstError as Error | undefined)?.message ?? 'unknown error';
      throw new Error(`Failed to bind to address ${address}: ${reason}`, { cause: firstError });
    }
    return port;
  }

  // ---- connections -------------------------------------------------------------------------------

  #onConnection(socket: Socket, spec: CredentialsSpec): void {
    if (spec.kind === 'local' && spec.connectionType === 1 && !isLoopback(socket.remoteAddress)) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    // A peer that closed its side (after a GOAWAY, say) gets the socket closed too: no CLOSE-WAIT.
    socket.once('end', () => socket.destroy());
  }

  #onSession(session: ServerHttp2Session, spec: CredentialsSpec): void {
    session.on('error', noop);
    session.on('frameError', noop);
    this.#sessions.add(session);
    session.once('close', () => {
      this.#sessions.delete(session);
      if (this.#sessions.size === 0) this.#drained?.();
    });
    const socket = session.socket;
    const secure = spec.kind === 'ssl' || spec.kind === 'dynamic';
    const peer =
      socket.remotePort === undefined && socket.remoteAddress === undefined
        ? 'unix:'
        : formatAddress(socket.remoteAddress, socket.remotePort);
    let auth: PeerAuth | undefined;
    const channelz = this.#channelz;
    const channelzSocket =
      channelz === undefined
        ? undefined
        : newSocket(
            peer,
            socketAddress(socket.localAddress, socket.localPort),
            socketAddress(socket.remoteAddress, socket.remotePort),
          );
    if (channelz !== undefined && channelzSocket !== undefined) {
      channelz.sockets.set(channelzSocket.id, channelzSocket);
      if (secure) channelzSocket.cipher = (socket as unknown as TLSSocket).getCipher?.()?.standardName;
      session.once('close', () => {
        channelz.sockets.delete(channelzSocket.id);
        dropSocket(channelzSocket);
      });
    }
    // The client's preface (its SETTINGS) must come within the handshake timeout; TLS handshakes
    // have the same limit of their own (handshakeTimeout above).
    const handshake = this.#settings.connection.handshakeTimeoutMs;
    if (Number.isFinite(handshake)) {
      const preface = setTimeout(() => session.destroy(), handshake).unref();
      session.once('remoteSettings', () => clearTimeout(preface));
      session.once('close', () => clearTimeout(preface));
    }
    this.#connections.set(session, {
      keeper: new ConnectionKeeper(session, this.#settings.connection, channelzSocket),
      channelzServer: channelz,
      channelzSocket,
      peer,
      peerAuth: () => {
        if (auth !== undefined) return auth;
        if (spec.kind === 'local') auth = LOCAL_AUTH;
        else if (!secure) auth = peerAuth(false, undefined);
        else {
          const tls = socket as unknown as TLSSocket;
          const certificate = tls.authorized ? tls.getPeerCertificate() : undefined;
          auth = peerAuth(true, certificate !== undefined && 'raw' in certificate ? certificate : undefined);
        }
        return auth;
      },
    });
    if (this.#closing) session.close();
  }

  #onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): void {
    stream.on('error', noop);
    // PROTOCOL-HTTP2.md: content types other than application/grpc[+subtype] get HTTP 415. Where it
    // leaves room (other methods, a missing `te: trailers`), a Trailers-Only status with C-core's
    // text (C-core 1.84 answers other methods so, or resets the stream after a random delay).
    if (!isGrpcContentType(headers['content-type'])) {
      refuseHttp(stream, 415, { 'accept-post': 'application/grpc' });
      return;
    }
    if (headers[':method'] !== 'POST') {
      refuseCall(stream, StatusCode.INTERNAL, badHeader(':method'));
      return;
    }
    if (headers.te !== 'trailers') {
      refuseCall(stream, StatusCode.INTERNAL, badHeader('te'));
      return;
    }
    const badBinary = invalidBinaryHeader(rawHeaders);
    if (badBinary !== undefined) {
      refuseCall(stream, StatusCode.INTERNAL, badBinaryHeader(badBinary));
      return;
    }
    const path = headers[':path'] ?? '';
    let deadline = Number.POSITIVE_INFINITY;
    const timeout = single(headers['grpc-timeout']);
    if (timeout !== undefined) {
      const ms = parseGrpcTimeout(timeout);
      if (ms === undefined) {
        refuseCall(stream, StatusCode.INTERNAL, badHeader('grpc-timeout'));
        return;
      }
      deadline = Date.now() + ms;
    }
    let requestCompression: Compression = Compression.NoCompression;
    const encoding = single(headers['grpc-encoding']);
    if (encoding !== undefined && encoding !== 'identity') {
      const algorithm = algorithmOf(encoding);
      const accept = { 'grpc-accept-encoding': this.#settings.compressions.acceptEncoding };
      if (algorithm === undefined) {
        refuseCall(stream, StatusCode.UNIMPLEMENTED, unknownEncoding(encoding), accept);
        return;
      }
      if (!this.#settings.compressions.has(algorithm)) {
        refuseCall(stream, StatusCode.UNIMPLEMENTED, disabledEncoding(encoding), accept);
        return;
      }
      requestCompression = algorithm;
    }
    const connection = this.#connections.get(stream.session as ServerHttp2Session);
    if (connection === undefined) {
      // Every session is set up in its 'session' event, before its first stream: never expected.
      refuseCall(stream, StatusCode.INTERNAL, 'Connection not set up');
      return;
    }
    const call = new Http2ServerCall(stream, rawHeaders, this.#settings, connection, {
      deadline,
      requestCompression,
      acceptedByClient: acceptedAlgorithms(single(headers['grpc-accept-encoding'])),
    });
    const rpc = new ServerRpc(this.#host.rpcHost, path, call);
    call.attach(rpc);
    this.#host.accept(rpc);
  }

  // ---- stopping ----------------------------------------------------------------------------------

  /**
   * Stops accepting: listeners close, every connection gets a GOAWAY (streams already open go on).
   * Resolves once every connection has closed.
   */
  shutdown(): Promise<void> {
    this.#closing = true;
    for (const { server } of this.#listeners) server.close();
    for (const session of this.#sessions) if (!session.closed) session.close();
    return new Promise((resolve) => {
      if (this.#sessions.size === 0) resolve();
      else this.#drained = resolve;
    });
  }

  /** Closes every connection at once. */
  destroy(): void {
    this.#closing = true;
    for (const { server } of this.#listeners) server.close();
    for (const session of this.#sessions) session.destroy();
    for (const socket of this.#sockets) socket.destroy();
  }
}

const LOCAL_AUTH: PeerAuth = Object.freeze({
  context: Object.freeze({
    transport_security_type: [Buffer.from('local')],
    security_level: [Buffer.from('TSI_PRIVACY_AND_INTEGRITY')],
  }),
  identityKey: undefined,
}) as PeerAuth;

function listen(
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
