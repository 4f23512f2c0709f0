import type {
  Http2SecureServer,
  Http2Server,
  IncomingHttpHeaders,
  ServerHttp2Session,
  ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import { type ServerCallTelemetry, StatusCode } from '@grpc-aio/core';
import { type ChannelzServer, dropSocket, newSocket } from '../channelz.js';
import type { CredentialsSpec } from '../credentials.js';
import type { RpcHost } from '../rpc-host.js';
import { ServerRpc } from '../server-rpc.js';
import { type BindTarget, bindTargets, formatAddress, isLoopback } from './addresses.js';
import { sessionConnection } from './connections.js';
import { checkOrigin, type GrpcWebSettings, grpcWebContentType, preflight } from './grpc-web.js';
import { GrpcWebCall, Http2WebExchange, refuseWebCall } from './grpc-web-call.js';
import { Http1Connections, type WebRequestHandler } from './http1-connections.js';
import { type ConnectionInfo, Http2ServerCall, refuseCall, refuseHttp } from './http2-call.js';
import { createListener, type ListenerEvents, listen } from './listeners.js';
import { callStart, grpcCallStart, isGrpcContentType, single, webRawHeaders } from './request-headers.js';
import type { TransportSettings } from './transport-settings.js';

// The server's transport: its listeners, its connections (HTTP/2 sessions here, HTTP/1.1 ones in
// http1-connections.ts), the start of every call (a gRPC call, or a gRPC-Web one), and stopping.

/** What the transport hands its calls to. */
export interface TransportHost {
  readonly rpcHost: RpcHost;
  /** A new RPC, its metadata in hand: run it, hold it until start(), or refuse it. */
  accept(rpc: ServerRpc): void;
  /** The recorder of a new call, or undefined when no telemetry is set or registered. */
  callTelemetry(path: string, rpc: ServerRpc): ServerCallTelemetry | undefined;
}

const noop = (): void => {};

/** The content types this server answers, for `accept-post` of a 415. */
const ACCEPT_POST_WEB = 'application/grpc, application/grpc-web, application/grpc-web-text';

interface Listener {
  readonly server: Http2Server | Http2SecureServer;
  readonly spec: CredentialsSpec;
}

/** gRPC over HTTP/2 on node:http2: listeners, connections, and the start of every call. */
export class Http2Transport {
  readonly #host: TransportHost;
  readonly #settings: TransportSettings;
  readonly #listeners: Listener[] = [];
  readonly #events: ListenerEvents;
  readonly #sessions = new Set<ServerHttp2Session>();
  readonly #sockets = new Set<Socket>();
  readonly #connections = new WeakMap<ServerHttp2Session, ConnectionInfo>();
  readonly #channelz: ChannelzServer | undefined;
  readonly #http1: Http1Connections;
  #closing = false;
  #drained: (() => void) | undefined;

  constructor(host: TransportHost, settings: TransportSettings, channelz: ChannelzServer | undefined) {
    this.#host = host;
    this.#settings = settings;
    this.#channelz = channelz;
    this.#events = {
      connection: (socket, spec) => this.#onConnection(socket, spec),
      session: (session, spec) => this.#onSession(session, spec),
      stream: (stream, headers, _flags, rawHeaders) => this.#onStream(stream, headers, rawHeaders),
      http1Connection: (socket, spec) => this.#http1.accept(socket, spec),
    };
    this.#http1 = new Http1Connections(settings, channelz, this.#onWebRequest, () => this.#maybeDrained());
  }

  /** The number of open connections. */
  get connectionCount(): number {
    return this.#sessions.size + this.#http1.size;
  }

  // ---- listening ---------------------------------------------------------------------------------

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
      const server = createListener(spec, this.#settings, this.#events);
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
    this.#connections.set(
      session,
      sessionConnection(session, spec, this.#settings.connection, this.#channelz),
    );
    if (this.#closing) session.close();
  }

  #maybeDrained(): void {
    if (this.#sessions.size === 0 && this.#http1.size === 0) this.#drained?.();
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

  /**
   * A request on a server with gRPC-Web: a preflight, a gRPC-Web call, or something else. A field,
   * typed once for both of its callers (gRPC-Web over HTTP/2 here, over HTTP/1.1 in Http1Connections).
   */
  readonly #onWebRequest: WebRequestHandler = (exchange, headers, rawHeaders, method, path, connection) => {
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
    const start = callStart(headers, raw, this.#settings.compressions);
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
  };

  #onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): void {
    stream.on('error', noop);
    // PROTOCOL-HTTP2.md: content types other than application/grpc[+subtype] get HTTP 415; the other
    // bad headers a Trailers-Only status (grpcCallStart).
    if (!isGrpcContentType(headers['content-type'])) {
      if (this.#settings.grpcWeb !== undefined) {
        this.#onHttp2WebStream(stream, headers, rawHeaders);
        return;
      }
      refuseHttp(stream, 415, { 'accept-post': 'application/grpc' });
      return;
    }
    const start = grpcCallStart(headers, rawHeaders, this.#settings.compressions);
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

  // ---- stopping ----------------------------------------------------------------------------------

  /**
   * Stops accepting: listeners close, every connection gets a GOAWAY (streams already open go on).
   * Resolves once every connection has closed.
   */
  shutdown(): Promise<void> {
    this.#closing = true;
    for (const { server } of this.#listeners) server.close();
    for (const session of this.#sessions) if (!session.closed) session.close();
    this.#http1.shutdown();
    return new Promise((resolve) => {
      if (this.#sessions.size === 0 && this.#http1.size === 0) resolve();
      else this.#drained = resolve;
    });
  }

  /** Closes every connection at once. */
  destroy(): void {
    this.#closing = true;
    for (const { server } of this.#listeners) server.close();
    for (const session of this.#sessions) session.destroy();
    for (const socket of this.#sockets) socket.destroy();
    this.#http1.destroy();
  }
}
