import { EventEmitter } from 'node:events';
import { Duplex, type DuplexOptions } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { RpcMethodHandler, Server, ServicerContext } from '@grpc-aio/core';
import { EOF, isStatusCode, StatusCode } from '@grpc-aio/core';
import { fromGrpcJsMetadata, toGrpcJsMetadata } from '@grpc-aio/metadata/grpc-js';
import {
  type ChannelzServer,
  type ChannelzSocket,
  channelzRegistry,
  type SocketAddress,
} from './channelz.js';

// @grpc-aio/server/admin: admin services on a grpc-aio server. This is the one entry point of the
// package that needs @grpc/grpc-js (an optional peer dependency): admin services (channelz, and
// whatever else is registered with grpc-js's registerAdminService) are written against grpc-js's
// callback API, and these adapters serve them from a grpc-aio server. Channelz answers for grpc-aio
// servers and their sockets itself (src/channelz.ts) and asks grpc-js for everything else (the
// client channels, subchannels and their sockets).

// ---- grpc-js handlers on grpc-aio behaviours ---------------------------------------------------
// A grpc-js handler gets a call object (ServerUnaryCall, ServerReadableStream, ServerWritableStream
// or ServerDuplexStream, see grpc-js's server-call.d.ts) and, for a unary response, a callback. The
// adapters build the subset of those objects that admin handlers use (CSDS's StreamClientStatus
// reads 'data'/'end', write()s, end()s and emit('error')s) over the ServicerContext, and turn how
// the handler finishes (callback, end(), an error) into the behaviour's outcome.

/** grpc-js's details for an error that carries no message (serverErrorToStatus). */
const UNKNOWN_ERROR = 'Unknown Error';

type GrpcJsCallback = (error: unknown, value?: unknown, trailer?: grpc.Metadata | null) => void;
type GrpcJsHandler = (call: EventEmitter, callback: GrpcJsCallback) => void;

/** The status of a grpc-js handler's error, as grpc-js's serverErrorToStatus reads it. */
function statusOf(
  error: unknown,
  trailer: grpc.Metadata | null | undefined,
): { code: StatusCode; details: string; trailingMetadata: grpc.Metadata | undefined } {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  let code: StatusCode = StatusCode.UNKNOWN;
  let details = typeof fields.message === 'string' ? fields.message : UNKNOWN_ERROR;
  // grpc-js would send an error coded OK as OK; a grpc-aio handler can only abort with a non-OK code.
  if (isStatusCode(fields.code) && fields.code !== StatusCode.OK) {
    code = fields.code;
    if (typeof fields.details === 'string') details = fields.details;
  }
  const metadata = trailer ?? fields.metadata;
  return { code, details, trailingMetadata: metadata instanceof grpc.Metadata ? metadata : undefined };
}

/** Settles a behaviour's promise once, from whichever way its grpc-js handler finished first. */
class Outcome {
  settled = false;
  readonly #context: ServicerContext;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;

  constructor(context: ServicerContext, resolve: (value: unknown) => void, reject: (error: unknown) => void) {
    this.#context = context;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** The handler answered (callback(null, value)) or ended its response stream (end()). */
  succeed(value: unknown, trailer: grpc.Metadata | null | undefined): void {
    if (this.settled) return;
    this.settled = true;
    try {
      if (trailer instanceof grpc.Metadata) this.#context.setTrailingMetadata(fromGrpcJsMetadata(trailer));
      this.#resolve(value);
    } catch (error) {
      this.#reject(error);
    }
  }

  /** The handler failed the call (callback(error), emit('error'), destroy(error)): its error is the status. */
  fail(error: unknown, trailer?: grpc.Metadata | null): void {
    if (this.settled) return;
    this.settled = true;
    const { code, details, trailingMetadata } = statusOf(error, trailer);
    // abort() sends the status and rejects (AbortError); the server then ignores the rejection.
    this.#context
      .abort(code, details, trailingMetadata === undefined ? undefined : fromGrpcJsMetadata(trailingMetadata))
      .catch(this.#reject);
  }

  /** The handler threw: the server ends the call with UNKNOWN, as for any handler. */
  throw(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#reject(error);
  }

  /** The RPC ended without the handler (cancelled): nothing is left to send. */
  drop(): void {
    if (this.settled) return;
    this.settled = true;
    this.#resolve(undefined);
  }
}

/** The part of grpc-js's ServerSurfaceCall that every call object has. */
interface SurfaceCall {
  cancelled: boolean;
  readonly metadata: grpc.Metadata;
  getPeer(): string;
  getDeadline(): grpc.Deadline;
  getPath(): string;
  sendMetadata(responseMetadata: grpc.Metadata): void;
}

function surface(context: ServicerContext, path: string): SurfaceCall {
  return {
    cancelled: false,
    metadata: toGrpcJsMetadata(context.invocationMetadata()),
    getPeer: () => context.peer(),
    getDeadline: () => {
      const remaining = context.timeRemaining();
      return remaining === undefined ? Number.POSITIVE_INFINITY : new Date(Date.now() + remaining * 1000);
    },
    getPath: () => path,
    // grpc-js ignores a sendMetadata() it cannot honour (already sent, call over); so does this.
    sendMetadata: (responseMetadata: grpc.Metadata) => {
      context.sendInitialMetadata(fromGrpcJsMetadata(responseMetadata)).catch(() => {});
    },
  };
}

/**
 * The call object of a streaming method: a Duplex in object mode whose readable side (request
 * streams) reads `context.read()` and whose writable side (response streams) writes with
 * `context.write()`, which resolves once the response window has room (so write() returning false
 * and 'drain' mean what they do in grpc-js). As in grpc-js, an 'error' becomes the status, after the
 * responses already written; end(metadata) ends with OK and those trailers.
 */
class AdminStream extends Duplex {
  readonly #context: ServicerContext;
  readonly #outcome: Outcome;
  readonly #responses: boolean;
  #trailer: grpc.Metadata | undefined;
  #error: { error: unknown } | undefined;

  constructor(context: ServicerContext, method: grpc.MethodDefinition<unknown, unknown>, outcome: Outcome) {
    // Node's Duplex takes `readable: false` / `writable: false` (a side that starts ended); its
    // typings omit them.
    super({
      objectMode: true,
      readable: method.requestStream,
      writable: method.responseStream,
    } as DuplexOptions);
    this.#context = context;
    this.#outcome = outcome;
    this.#responses = method.responseStream;
    this.on('error', (error: unknown) => this.#onError(error));
    // A response stream destroyed without an error before it ended (grpc-js would leave the call
    // open). A request stream may be destroyed early: the callback still answers.
    if (this.#responses) this.on('close', () => this.#outcome.fail({}));
  }

  override _read(): void {
    // A read that fails means the RPC is over (cancelled, or a request could not be decoded, which
    // the server has answered): the signal reports that, and destroys this stream.
    this.#context.read().then(
      (request) => this.push(request === EOF ? null : request),
      () => {},
    );
  }

  override _write(
    response: unknown,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#context.write(response).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback();
    if (this.#error === undefined) this.#outcome.succeed(undefined, this.#trailer);
    else this.#outcome.fail(this.#error.error);
  }

  /** grpc-js's end(metadata): ends the responses, with `metadata` as the trailers. */
  override end(metadata?: unknown): this {
    if (metadata instanceof grpc.Metadata) this.#trailer = metadata;
    return super.end();
  }

  #onError(error: unknown): void {
    // An error emitted while responses are still queued waits for them (grpc-js's pendingStatus,
    // sent from _final); destroy(error), or an error with no response stream, ends the call now.
    if (this.#responses && !this.destroyed && !this.writableFinished) {
      this.#error ??= { error };
      if (!this.writableEnded) super.end();
    } else {
      this.#outcome.fail(error);
    }
  }
}

/** A grpc-aio behaviour (any kind) running one grpc-js handler. */
function adapt(method: grpc.MethodDefinition<unknown, unknown>, handler: GrpcJsHandler) {
  const streaming = method.requestStream || method.responseStream;
  return (argument: unknown, context: ServicerContext): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const outcome = new Outcome(context, resolve, reject);
      if (context.cancelled()) return outcome.drop();
      const call = Object.assign(
        streaming ? new AdminStream(context, method, outcome) : new EventEmitter(),
        surface(context, method.path),
        // A request stream is read through the call (context.read()), not through `argument`.
        method.requestStream ? {} : { request: argument },
      );
      context.signal.addEventListener(
        'abort',
        () => {
          if (outcome.settled) return;
          // As grpc-js: flag, 'cancelled' event, then the stream is destroyed.
          call.cancelled = true;
          call.emit('cancelled', 'cancelled');
          outcome.drop();
          if (call instanceof AdminStream) call.destroy();
        },
        { once: true },
      );
      try {
        handler(call, (error, value, trailer) => {
          if (error == null) outcome.succeed(value, trailer);
          else outcome.fail(error, trailer);
        });
      } catch (error) {
        outcome.throw(error);
      }
    });
}

/** Registers one grpc-js service (definition + callback handlers) on a grpc-aio server. */
function addGrpcJsService(
  server: Server,
  definition: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
): void {
  const byService = new Map<string, Record<string, RpcMethodHandler>>();
  for (const [name, method] of Object.entries(definition)) {
    const [, serviceName = '', methodName = ''] = /^\/([^/]+)\/([^/]+)$/.exec(method.path) ?? [];
    const handler = implementation[name] as GrpcJsHandler | undefined;
    if (typeof handler !== 'function') continue;
    const behavior = adapt(method, handler);
    const { requestStream, responseStream } = method;
    const handlers = byService.get(serviceName) ?? {};
    handlers[methodName] = {
      requestStreaming: requestStream,
      responseStreaming: responseStream,
      requestDeserializer: (bytes: Uint8Array) =>
        method.requestDeserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
      responseSerializer: (message: unknown) => method.responseSerialize(message),
      unaryUnary: !requestStream && !responseStream ? behavior : null,
      unaryStream: !requestStream && responseStream ? (behavior as RpcMethodHandler['unaryStream']) : null,
      streamUnary: requestStream && !responseStream ? behavior : null,
      streamStream: requestStream && responseStream ? (behavior as RpcMethodHandler['streamStream']) : null,
    };
    byService.set(serviceName, handlers);
  }
  for (const [serviceName, handlers] of byService) server.addRegisteredMethodHandlers(serviceName, handlers);
}

type Callback = (error: Partial<grpc.ServiceError> | null, value?: unknown) => void;
type Request = Record<string, string | number | undefined>;

function timestamp(ms: number | undefined): { seconds: number; nanos: number } | null {
  if (ms === undefined) return null;
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

function ipBytes(host: string): Buffer | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return Buffer.from(host.split('.').map(Number));
  if (!host.includes(':')) return undefined;
  const [head = '', tail = ''] = host.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const left = parse(head);
  const right = host.includes('::') ? parse(tail) : [];
  const groups = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = Buffer.alloc(16);
  for (const [index, group] of groups.entries()) bytes.writeUInt16BE(group & 0xffff, index * 2);
  return bytes;
}

function addressMessage(address: SocketAddress | undefined): object | null {
  if (address === undefined) return null;
  if ('path' in address) return { address: 'uds_address', uds_address: { filename: address.path } };
  return {
    address: 'tcpip_address',
    tcpip_address: { ip_address: ipBytes(address.host), port: address.port },
  };
}

const socketRef = (socket: ChannelzSocket) => ({ socket_id: String(socket.id), name: socket.name });

function serverMessage(server: ChannelzServer): object {
  return {
    ref: { server_id: String(server.id) },
    data: {
      calls_started: server.callsStarted,
      calls_succeeded: server.callsSucceeded,
      calls_failed: server.callsFailed,
      last_call_started_timestamp: timestamp(server.lastCallStarted),
    },
    listen_socket: [...server.listenSockets.values()].map(socketRef),
  };
}

function socketMessage(socket: ChannelzSocket): object {
  return {
    ref: socketRef(socket),
    local: addressMessage(socket.local),
    remote: addressMessage(socket.remote),
    security:
      socket.cipher === undefined
        ? null
        : { model: 'tls', tls: { cipher_suite: 'standard_name', standard_name: socket.cipher } },
    data: {
      streams_started: socket.streamsStarted,
      streams_succeeded: socket.streamsSucceeded,
      streams_failed: socket.streamsFailed,
      messages_sent: socket.messagesSent,
      messages_received: socket.messagesReceived,
      keep_alives_sent: socket.keepAlivesSent,
      last_remote_stream_created_timestamp: timestamp(socket.lastRemoteStreamCreated),
      last_message_sent_timestamp: timestamp(socket.lastMessageSent),
      last_message_received_timestamp: timestamp(socket.lastMessageReceived),
    },
  };
}

const DEFAULT_MAX_RESULTS = 100;

/** grpc-js's channelz handlers, answering for grpc-aio's servers and sockets first. */
function channelzHandlers(): grpc.UntypedServiceImplementation {
  const grpcJs = grpc.getChannelzHandlers() as unknown as Record<
    string,
    (call: { request: Request }, callback: Callback) => void
  >;
  const { servers, sockets } = channelzRegistry();
  const id = (value: unknown): number => Number.parseInt(String(value ?? '0'), 10) || 0;
  const delegate = (name: string) => grpcJs[name] as (call: { request: Request }, callback: Callback) => void;
  return {
    ...grpcJs,
    GetServers(call: { request: Request }, callback: Callback) {
      const maxResults = id(call.request.max_results) || DEFAULT_MAX_RESULTS;
      const start = id(call.request.start_server_id);
      delegate('GetServers')(call, (error, value) => {
        if (error) return callback(error);
        const theirs = value as { server: object[]; end: boolean };
        if (!theirs.end) return callback(null, theirs);
        const ours = [...servers.values()].filter((server) => server.id >= start).sort((a, b) => a.id - b.id);
        const room = Math.max(0, maxResults - theirs.server.length);
        callback(null, {
          server: [...theirs.server, ...ours.slice(0, room).map(serverMessage)],
          end: ours.length <= room,
        });
      });
    },
    GetServer(call: { request: Request }, callback: Callback) {
      const server = servers.get(id(call.request.server_id));
      if (server === undefined) return delegate('GetServer')(call, callback);
      callback(null, { server: serverMessage(server) });
    },
    GetServerSockets(call: { request: Request }, callback: Callback) {
      const server = servers.get(id(call.request.server_id));
      if (server === undefined) return delegate('GetServerSockets')(call, callback);
      const start = id(call.request.start_socket_id);
      const maxResults = id(call.request.max_results) || DEFAULT_MAX_RESULTS;
      const all = [...server.sockets.values()]
        .filter((socket) => socket.id >= start)
        .sort((a, b) => a.id - b.id);
      callback(null, { socket_ref: all.slice(0, maxResults).map(socketRef), end: all.length <= maxResults });
    },
    GetSocket(call: { request: Request }, callback: Callback) {
      const socket = sockets.get(id(call.request.socket_id));
      if (socket === undefined) return delegate('GetSocket')(call, callback);
      callback(null, { socket: socketMessage(socket) });
    },
  };
}

/**
 * Serves grpc.channelz.v1.Channelz on `server` (Python's `grpcio_channelz.channelz.add_channelz_servicer`),
 * before `start()`. It reports the grpc-aio servers of this process (their listen sockets,
 * connections and call counters) and grpc-js's channelz data: the channels grpc-aio opens (unless
 * created with `['grpc.enable_channelz', 0]`).
 */
export function addChannelzServicer(server: Server): void {
  addGrpcJsService(server, grpc.getChannelzServiceDefinition(), channelzHandlers());
}

/**
 * Serves every admin service registered with grpc-js (channelz, plus e.g. CSDS when
 * @grpc/grpc-js-xds registers it) on `server` (Python's `grpcio_admin.add_admin_servicers`), before
 * `start()`. Unary and streaming methods alike are served.
 */
export function addAdminServicers(server: Server): void {
  // grpc-js keeps its registry private; addAdminServicesToServer hands each entry to addService,
  // which this stand-in forwards to the grpc-aio server.
  const channelz = grpc.getChannelzServiceDefinition();
  const collector = {
    addService(definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation) {
      const isChannelz =
        definition.GetServers !== undefined && definition.GetServers.path === channelz.GetServers.path;
      addGrpcJsService(server, definition, isChannelz ? channelzHandlers() : implementation);
    },
  };
  grpc.addAdminServicesToServer(collector as unknown as grpc.Server);
}
