import * as grpc from '@grpc/grpc-js';
import type { RpcMethodHandler, Server, ServicerContext } from '@grpc-aio/core';
import { isStatusCode, StatusCode } from '@grpc-aio/core';
import { toGrpcJsMetadata } from '@grpc-aio/metadata/grpc-js';
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

/** The error when an admin service has a streaming method: only unary admin methods are adapted. */
export const STREAMING_ADMIN_METHOD = 'Streaming admin methods are not supported by grpc-aio';

type GrpcJsUnaryHandler = (
  call: Record<string, unknown>,
  callback: (error: Partial<grpc.ServiceError> | null, value?: unknown) => void,
) => void;

function adaptUnary(handler: GrpcJsUnaryHandler): RpcMethodHandler['unaryUnary'] {
  return (request: unknown, context: ServicerContext) =>
    new Promise((resolve, reject) => {
      // The subset of grpc-js's ServerUnaryCall that admin handlers read.
      const call = {
        request,
        metadata: toGrpcJsMetadata(context.invocationMetadata()),
        cancelled: context.cancelled(),
        getPeer: () => context.peer(),
        getDeadline: () => Number.POSITIVE_INFINITY,
        getPath: () => '',
      };
      handler(call, (error, value) => {
        if (error == null) resolve(value);
        else {
          const code = isStatusCode(error.code) ? error.code : StatusCode.UNKNOWN;
          context.abort(code, error.details ?? error.message ?? '').catch(reject);
        }
      });
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
    if (method.requestStream || method.responseStream) {
      throw new TypeError(`${STREAMING_ADMIN_METHOD}: ${method.path}`);
    }
    const handler = implementation[name] as GrpcJsUnaryHandler | undefined;
    if (typeof handler !== 'function') continue;
    const handlers = byService.get(serviceName) ?? {};
    handlers[methodName] = {
      requestStreaming: false,
      responseStreaming: false,
      requestDeserializer: (bytes: Uint8Array) =>
        method.requestDeserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
      responseSerializer: (message: unknown) => method.responseSerialize(message),
      unaryUnary: adaptUnary(handler),
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
 * `start()`.
 * @throws TypeError naming the method when an admin service has a streaming method.
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
