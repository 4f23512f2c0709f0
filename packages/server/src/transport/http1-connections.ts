import {
  createServer as createHttp1Server,
  type Server as Http1Server,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { IncomingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import type { ChannelzServer } from '../channelz.js';
import type { CredentialsSpec } from '../credentials.js';
import type { CallConnection } from './base-call.js';
import { lazyPeerAuth, peerOf } from './connections.js';
import { Http1WebExchange, type WebExchange } from './grpc-web-call.js';
import type { TransportSettings } from './transport-settings.js';

// gRPC-Web over HTTP/1.1: the connections a server's listeners found speaking HTTP/1.1 (ALPN
// http/1.1, or no HTTP/2 preface on a plaintext port), handed to a node:http server that listens on
// nothing. Each connection's first request must come within the handshake timeout; requests may be
// pipelined; a stopping server lets the requests in flight finish, then closes their connections.

/** A connection of HTTP/1.1 requests (gRPC-Web): its calls' shared facts, and its requests in flight. */
interface Http1Connection extends CallConnection {
  /** Requests not yet answered (several when the client pipelines them). */
  readonly exchanges: Set<Http1WebExchange>;
  firstRequest: NodeJS.Timeout | undefined;
}

/** Where the requests go: the transport's gRPC-Web dispatch (shared with gRPC-Web over HTTP/2). */
export type WebRequestHandler = (
  exchange: WebExchange,
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
  method: string | undefined,
  path: string,
  connection: CallConnection,
) => void;

/** The HTTP/1.1 connections of one transport. */
export class Http1Connections {
  readonly #settings: TransportSettings;
  readonly #channelz: ChannelzServer | undefined;
  readonly #onRequest: WebRequestHandler;
  readonly #onClose: () => void;
  readonly #connections = new Map<Socket, Http1Connection>();
  #server: Http1Server | undefined;
  #closing = false;

  /** @param onClose runs after each connection closed (the transport may be drained). */
  constructor(
    settings: TransportSettings,
    channelz: ChannelzServer | undefined,
    onRequest: WebRequestHandler,
    onClose: () => void,
  ) {
    this.#settings = settings;
    this.#channelz = channelz;
    this.#onRequest = onRequest;
    this.#onClose = onClose;
  }

  /** The number of open connections. */
  get size(): number {
    return this.#connections.size;
  }

  /** The HTTP/1.1 server that connections speaking HTTP/1.1 are handed to (it listens on nothing). */
  #http1Server(): Http1Server {
    if (this.#server !== undefined) return this.#server;
    const maxHeaderSize = this.#settings.maxMetadataSize;
    const http1 = createHttp1Server(
      maxHeaderSize === undefined ? {} : { maxHeaderSize },
      (request, response) => this.#onHttp1Request(request, response),
    );
    // node:http checks its headersTimeout (60 s) and requestTimeout (5 min) only once 'listening':
    // without this, a client could trickle the headers or body of a request forever.
    http1.emit('listening');
    this.#server = http1;
    return http1;
  }

  /** Takes a connection that speaks HTTP/1.1 (refused once the transport is stopping). */
  accept(socket: Socket, spec: CredentialsSpec): void {
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
    this.#connections.set(socket, connection);
    socket.once('close', () => {
      clearTimeout(connection.firstRequest);
      this.#connections.delete(socket);
      // Responses queued behind another (pipelining) learn here that the client went away.
      for (const exchange of connection.exchanges) exchange.closed();
      connection.exchanges.clear();
      this.#onClose();
    });
    this.#http1Server().emit('connection', socket);
    socket.resume();
  }

  #onHttp1Request(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    const connection = this.#connections.get(socket);
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
    this.#onRequest(
      exchange,
      request.headers,
      request.rawHeaders,
      request.method,
      request.url ?? '',
      connection,
    );
  }

  /**
   * The transport is stopping: connections between requests close now; the others once their
   * requests are answered (with `connection: close` on the responses not yet begun).
   */
  shutdown(): void {
    this.#closing = true;
    for (const [socket, connection] of this.#connections) {
      if (connection.exchanges.size === 0) socket.end();
      else for (const exchange of connection.exchanges) exchange.lastOnConnection();
    }
  }

  /** Closes every connection at once. */
  destroy(): void {
    this.#closing = true;
    for (const socket of this.#connections.keys()) socket.destroy();
    // Stops node:http's timeout checks (an interval timer that would keep this transport alive).
    this.#server?.close();
  }
}
