import {
  createServer as createHttp1Server,
  type Server as Http1Server,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type ServerOptions as Http2ServerOptions,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureServerOptions,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Compression, type ServerCallTelemetry, StatusCode } from '@grpc-aio/core';
import { type PeerAuth, peerAuth } from '../auth-context.js';
import { type ChannelzServer, dropSocket, newSocket, socketAddress } from '../channelz.js';
import { type CredentialsSpec, secureContextOptions } from '../credentials.js';
import type { RpcHost } from '../rpc-host.js';
import { ServerRpc } from '../server-rpc.js';
import { type BindTarget, bindTargets, formatAddress, isLoopback } from './addresses.js';
import type { CallConnection, CallSettings, CallStart } from './base-call.js';
import { acceptedAlgorithms, algorithmOf } from './compression.js';
import { ConnectionKeeper, type ConnectionSettings } from './connection-keeper.js';
import { parseGrpcTimeout } from './grpc-timeout.js';
import { checkOrigin, type GrpcWebSettings, grpcWebContentType, preflight } from './grpc-web.js';
import {
  GrpcWebCall,
  Http1WebExchange,
  Http2WebExchange,
  refuseWebCall,
  type WebExchange,
} from './grpc-web-call.js';
import { type ConnectionInfo, Http2ServerCall, refuseCall, refuseHttp } from './http2-call.js';
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
  /** `server({ grpcWeb })`: gRPC-Web on the same ports, over HTTP/2 and HTTP/1.1 (undefined: off). */
  readonly grpcWeb: GrpcWebSettings | undefined;
}

/** What the transport hands its calls to. */
export interface TransportHost {
  readonly rpcHost: RpcHost;
  /** A new RPC, its metadata in hand: run it, hold it until start(), or refuse it. */
  accept(rpc: ServerRpc): void;
  /** The recorder of a new call, or undefined when no telemetry is set or registered. */
  callTelemetry(path: string, rpc: ServerRpc): ServerCallTelemetry | undefined;
}

// The texts of requests refused before they reach a handler: C-core's (1.84, hpack_parse_result.cc,
// call.cc) where it has one.
/** A request header that breaks the protocol's grammar (`:method`, `te`, `grpc-timeout`). */
const badHeader = (key: string): string => `Error parsing '${key}' metadata`;
/** A `-bin` header whose value is not base64. */
const badBinaryHeader = (key: string): string => `Error parsing '${key}' metadata: illegal base64 encoding`;
/** A compression algorithm this server does not know (compression.md: UNIMPLEMENTED, with grpc-accept-encoding). */
const unknownEncoding = (name: string): string => `Compression algorithm '${name}' is not supported.`;
/** An algorithm `grpc.compression_enabled_algorithms_bitset` turned off (C-core's text). */
const disabledEncoding = (name: string): string => `Compression algorithm '${name}' is disabled.`;

const noop = (): void => {};

/** A header's value when it was sent once (Node gives an array only for a few repeated names). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Why a request was refused before it reached a handler (a bad header). */
interface Refusal {
  readonly code: StatusCode;
  readonly details: string;
  readonly extra?: OutgoingHttpHeaders;
}

/** Headers of an HTTP/1.1 request that are about the connection, never metadata (nor HTTP/2 headers). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
  'http2-settings',
]);
const METADATA_KEY = /^[0-9a-z_.-]+$/;

/** The header list of a gRPC-Web request as metadata sees it: lowercase names, no hop-by-hop headers. */
function webRawHeaders(rawHeaders: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    if (HOP_BY_HOP.has(name) || (name.charCodeAt(0) !== 0x3a && !METADATA_KEY.test(name))) continue;
    result.push(name, rawHeaders[index + 1] as string);
  }
  return result;
}

/** The content types this server answers, for `accept-post` of a 415. */
const ACCEPT_POST_WEB = 'application/grpc, application/grpc-web, application/grpc-web-text';

/** A connection of HTTP/1.1 requests (gRPC-Web): its calls' shared facts, and its requests in flight. */
interface Http1Connection extends CallConnection {
  /** Requests not yet answered (several when the client pipelines them). */
  readonly exchanges: Set<Http1WebExchange>;
  firstRequest: NodeJS.Timeout | undefined;
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
  readonly #http1Connections = new Map<Socket, Http1Connection>();
  #http1: Http1Server | undefined;
  #closing = false;
  #drained: (() => void) | undefined;

  constructor(host: TransportHost, settings: TransportSettings, channelz: ChannelzServer | undefined) {
    this.#host = host;
    this.#settings = settings;
    this.#channelz = channelz;
  }

  /** The number of open connections. */
  get connectionCount(): number {
    return this.#sessions.size + this.#http1Connections.size;
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
    const web = this.#settings.grpcWeb !== undefined;
    if (spec.kind === 'ssl' || spec.kind === 'dynamic') {
      const tls = spec.kind === 'ssl' ? spec.material : spec.initial;
      const options: SecureServerOptions = {
        ...this.#options(),
        ...secureContextOptions(tls),
        allowHTTP1: false,
        // With gRPC-Web, clients may pick http/1.1 too: Node hands those connections to
        // 'unknownProtocol' (allowHTTP1 stays off: its compatibility layer would take every stream).
        ...(web ? { ALPNCallback: selectProtocol } : { ALPNProtocols: ['h2'] }),
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
      // A client that offers no h2 (or plaintext to this port) is disconnected at once; with
      // gRPC-Web, one that chose http/1.1 (or no ALPN) speaks HTTP/1.1.
      secure.on('unknownProtocol', (socket: TLSSocket) => {
        if (web) this.#onHttp1Connection(socket, spec);
        else socket.destroy();
      });
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
    if (web && spec.kind !== 'ssl' && spec.kind !== 'dynamic') this.#sniffHttp1(server as Http2Server, spec);
    return server;
  }

  /**
   * gRPC-Web on a plaintext port: Node's HTTP/2 server takes every connection as HTTP/2 (it has no
   * HTTP/1.1 fallback without TLS), so the first bytes decide: the HTTP/2 preface goes to it, anything
   * else to the HTTP/1.1 server.
   */
  #sniffHttp1(server: Http2Server, spec: CredentialsSpec): void {
    // net.Server registers the listener given to its constructor (Node's HTTP/2 connection
    // listener) for 'connection': it runs only for connections that start with the preface.
    const [http2Listener] = server.listeners('connection') as ((socket: Socket) => void)[];
    if (http2Listener === undefined) return;
    server.removeListener('connection', http2Listener);
    const timeout = this.#settings.connection.handshakeTimeoutMs;
    server.on('connection', (socket: Socket) => {
      if (socket.destroyed) return;
      sniffProtocol(socket, timeout, (http2) => {
        if (http2) http2Listener.call(server, socket);
        else this.#onHttp1Connection(socket, spec);
      });
    });
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
    // Over HTTP/1.1 too: there a client's FIN is how a browser aborts a call.
    socket.once('end', () => socket.destroy());
  }

  #onSession(session: ServerHttp2Session, spec: CredentialsSpec): void {
    session.on('error', noop);
    session.on('frameError', noop);
    this.#sessions.add(session);
    session.once('close', () => {
      this.#sessions.delete(session);
      this.#maybeDrained();
    });
    const socket = session.socket;
    const secure = spec.kind === 'ssl' || spec.kind === 'dynamic';
    const peer = peerOf(socket);
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
      peerAuth: lazyPeerAuth(socket, spec),
    });
    if (this.#closing) session.close();
  }

  #maybeDrained(): void {
    if (this.#sessions.size === 0 && this.#http1Connections.size === 0) this.#drained?.();
  }

  // ---- gRPC-Web over HTTP/1.1 --------------------------------------------------------------------

  /** The HTTP/1.1 server that connections speaking HTTP/1.1 are handed to (it listens on nothing). */
  #http1Server(): Http1Server {
    if (this.#http1 !== undefined) return this.#http1;
    const maxHeaderSize = this.#settings.maxMetadataSize;
    const http1 = createHttp1Server(
      maxHeaderSize === undefined ? {} : { maxHeaderSize },
      (request, response) => this.#onHttp1Request(request, response),
    );
    // node:http checks its headersTimeout (60 s) and requestTimeout (5 min) only once 'listening':
    // without this, a client could trickle the headers or body of a request forever.
    http1.emit('listening');
    this.#http1 = http1;
    return http1;
  }

  #onHttp1Connection(socket: Socket, spec: CredentialsSpec): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const connection: Http1Connection = {
      peer: peerOf(socket),
      peerAuth: lazyPeerAuth(socket, spec),
      channelzServer: this.#channelz,
      channelzSocket: undefined,
      exchanges: new Set(),
      firstRequest: undefined,
    };
    // The first request's headers must come within the handshake timeout, as the HTTP/2 preface must.
    const handshake = this.#settings.connection.handshakeTimeoutMs;
    if (Number.isFinite(handshake)) {
      connection.firstRequest = setTimeout(() => socket.destroy(), handshake).unref();
    }
    this.#http1Connections.set(socket, connection);
    socket.once('close', () => {
      clearTimeout(connection.firstRequest);
      this.#http1Connections.delete(socket);
      // Responses queued behind another (pipelining) learn here that the client went away.
      for (const exchange of connection.exchanges) exchange.closed();
      connection.exchanges.clear();
      this.#maybeDrained();
    });
    this.#http1Server().emit('connection', socket);
    socket.resume();
  }

  #onHttp1Request(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    const connection = this.#http1Connections.get(socket);
    if (connection === undefined) {
      socket.destroy();
      return;
    }
    clearTimeout(connection.firstRequest);
    connection.firstRequest = undefined;
    const exchange = new Http1WebExchange(request, response);
    connection.exchanges.add(exchange);
    // A server that is stopping lets the request finish, then closes the connection.
    if (this.#closing) response.shouldKeepAlive = false;
    response.once('close', () => {
      connection.exchanges.delete(exchange);
      exchange.closed();
      if (this.#closing && connection.exchanges.size === 0) socket.end();
    });
    this.#onWebRequest(
      exchange,
      request.headers,
      request.rawHeaders,
      request.method,
      request.url ?? '',
      connection,
    );
  }

  // ---- gRPC-Web ----------------------------------------------------------------------------------

  #onHttp2WebStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): void {
    const connection = this.#connections.get(stream.session as ServerHttp2Session);
    if (connection === undefined) {
      refuseHttp(stream, 500);
      return;
    }
    this.#onWebRequest(
      new Http2WebExchange(stream),
      headers,
      rawHeaders,
      headers[':method'],
      headers[':path'] ?? '',
      connection,
    );
  }

  /** A request on a server with gRPC-Web: a preflight, a gRPC-Web call, or something else. */
  #onWebRequest(
    exchange: WebExchange,
    headers: IncomingHttpHeaders,
    rawHeaders: readonly string[],
    method: string | undefined,
    path: string,
    connection: CallConnection,
  ): void {
    const web = this.#settings.grpcWeb as GrpcWebSettings;
    const origin = single(headers.origin);
    const check = checkOrigin(web, origin);
    if (method === 'OPTIONS') {
      const answer = preflight(web, check, origin, single(headers['access-control-request-headers']));
      exchange.respond(answer.headers, true, answer.status);
      exchange.body.resume();
      return;
    }
    const type = grpcWebContentType(single(headers['content-type']));
    if (type === undefined) {
      exchange.respond({ 'accept-post': ACCEPT_POST_WEB }, true, 415);
      exchange.body.resume();
      return;
    }
    // A page of an origin not allowed: no call, and nothing a browser would let it read.
    if (check === 'denied') {
      exchange.respond({ vary: 'Origin' }, true, 403);
      exchange.body.resume();
      return;
    }
    if (method !== 'POST') {
      exchange.respond({ allow: 'POST, OPTIONS' }, true, 405);
      exchange.body.resume();
      return;
    }
    const corsOrigin = check === 'allowed' ? origin : undefined;
    const raw = webRawHeaders(rawHeaders);
    const start = this.#callStart(headers, raw);
    if ('code' in start) {
      refuseWebCall(exchange, web, corsOrigin, type.responseType, start.code, start.details, start.extra);
      return;
    }
    const call = new GrpcWebCall(exchange, raw, this.#settings, web, connection, {
      ...start,
      text: type.text,
      responseType: type.responseType,
      origin: corsOrigin,
    });
    const rpc = new ServerRpc(call.host(this.#host.rpcHost), path, call);
    const telemetry = this.#host.callTelemetry(path, rpc);
    if (telemetry !== undefined) rpc.observe(telemetry);
    call.attach(rpc, telemetry);
    this.#host.accept(rpc);
  }

  #onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): void {
    stream.on('error', noop);
    // PROTOCOL-HTTP2.md: content types other than application/grpc[+subtype] get HTTP 415. Where it
    // leaves room (other methods, a missing `te: trailers`), a Trailers-Only status with C-core's
    // text (C-core 1.84 answers other methods so, or resets the stream after a random delay).
    if (!isGrpcContentType(headers['content-type'])) {
      if (this.#settings.grpcWeb !== undefined) {
        this.#onHttp2WebStream(stream, headers, rawHeaders);
        return;
      }
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
    const start = this.#callStart(headers, rawHeaders);
    if ('code' in start) {
      refuseCall(stream, start.code, start.details, start.extra);
      return;
    }
    const connection = this.#connections.get(stream.session as ServerHttp2Session);
    if (connection === undefined) {
      // Every session is set up in its 'session' event, before its first stream: never expected.
      refuseCall(stream, StatusCode.INTERNAL, 'Connection not set up');
      return;
    }
    const call = new Http2ServerCall(stream, rawHeaders, this.#settings, connection, start);
    const path = headers[':path'] ?? '';
    const rpc = new ServerRpc(this.#host.rpcHost, path, call);
    const telemetry = this.#host.callTelemetry(path, rpc);
    if (telemetry !== undefined) rpc.observe(telemetry);
    call.attach(rpc, telemetry);
    this.#host.accept(rpc);
  }

  /** What the headers of a gRPC (or gRPC-Web) request say of its call, or why it is refused. */
  #callStart(headers: IncomingHttpHeaders, rawHeaders: readonly string[]): CallStart | Refusal {
    const badBinary = invalidBinaryHeader(rawHeaders);
    if (badBinary !== undefined) return { code: StatusCode.INTERNAL, details: badBinaryHeader(badBinary) };
    let deadline = Number.POSITIVE_INFINITY;
    const timeout = single(headers['grpc-timeout']);
    if (timeout !== undefined) {
      const ms = parseGrpcTimeout(timeout);
      if (ms === undefined) return { code: StatusCode.INTERNAL, details: badHeader('grpc-timeout') };
      deadline = Date.now() + ms;
    }
    let requestCompression: Compression = Compression.NoCompression;
    const encoding = single(headers['grpc-encoding']);
    if (encoding !== undefined && encoding !== 'identity') {
      const algorithm = algorithmOf(encoding);
      const extra = { 'grpc-accept-encoding': this.#settings.compressions.acceptEncoding };
      if (algorithm === undefined) {
        return { code: StatusCode.UNIMPLEMENTED, details: unknownEncoding(encoding), extra };
      }
      if (!this.#settings.compressions.has(algorithm)) {
        return { code: StatusCode.UNIMPLEMENTED, details: disabledEncoding(encoding), extra };
      }
      requestCompression = algorithm;
    }
    return {
      deadline,
      requestCompression,
      acceptedByClient: acceptedAlgorithms(single(headers['grpc-accept-encoding'])),
    };
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
    // HTTP/1.1 connections between requests close now; the others once their requests are answered
    // (with `connection: close` on the responses not yet begun).
    for (const [socket, connection] of this.#http1Connections) {
      if (connection.exchanges.size === 0) socket.end();
      else for (const exchange of connection.exchanges) exchange.lastOnConnection();
    }
    return new Promise((resolve) => {
      if (this.#sessions.size === 0 && this.#http1Connections.size === 0) resolve();
      else this.#drained = resolve;
    });
  }

  /** Closes every connection at once. */
  destroy(): void {
    this.#closing = true;
    for (const { server } of this.#listeners) server.close();
    for (const session of this.#sessions) session.destroy();
    for (const socket of this.#sockets) socket.destroy();
    for (const socket of this.#http1Connections.keys()) socket.destroy();
    // Stops node:http's timeout checks (an interval timer that would keep this transport alive).
    this.#http1?.close();
  }
}

/** The peer of a connection in C-core's form. */
function peerOf(socket: Socket): string {
  return socket.remotePort === undefined && socket.remoteAddress === undefined
    ? 'unix:'
    : formatAddress(socket.remoteAddress, socket.remotePort);
}

/** The security of a connection, computed when first asked. */
function lazyPeerAuth(socket: Socket, spec: CredentialsSpec): () => PeerAuth {
  let auth: PeerAuth | undefined;
  return () => {
    if (auth !== undefined) return auth;
    if (spec.kind === 'local') auth = LOCAL_AUTH;
    else if (spec.kind !== 'ssl' && spec.kind !== 'dynamic') auth = peerAuth(false, undefined);
    else {
      const tls = socket as unknown as TLSSocket;
      const certificate = tls.authorized ? tls.getPeerCertificate() : undefined;
      auth = peerAuth(true, certificate !== undefined && 'raw' in certificate ? certificate : undefined);
    }
    return auth;
  };
}

/** ALPN with gRPC-Web: h2 when offered, else http/1.1 (no protocol in common fails the handshake). */
function selectProtocol({ protocols }: { protocols: string[] }): string | undefined {
  if (protocols.includes('h2')) return 'h2';
  return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
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
