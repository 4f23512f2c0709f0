// Channelz data of grpc-aio servers (grpc.channelz.v1): servers, their listen sockets and
// connections, with call and stream counters. The admin subpath (`@grpc-aio/server/admin`) serves
// it next to grpc-js's own channelz data (the client channels). Ids start at 2^40 so they never
// meet grpc-js's, which count from 1. The registry is shared by every copy of this package.

/** One socket: a listener or a connection. */
export interface ChannelzSocket {
  readonly id: number;
  readonly name: string;
  readonly local: SocketAddress | undefined;
  readonly remote: SocketAddress | undefined;
  /** The negotiated cipher of a TLS connection. */
  cipher: string | undefined;
  streamsStarted: number;
  streamsSucceeded: number;
  streamsFailed: number;
  messagesSent: number;
  messagesReceived: number;
  keepAlivesSent: number;
  lastRemoteStreamCreated: number | undefined;
  lastMessageSent: number | undefined;
  lastMessageReceived: number | undefined;
}

/** A TCP address or a Unix socket path. */
export type SocketAddress = { readonly host: string; readonly port: number } | { readonly path: string };

/** One server. */
export interface ChannelzServer {
  readonly id: number;
  callsStarted: number;
  callsSucceeded: number;
  callsFailed: number;
  lastCallStarted: number | undefined;
  readonly listenSockets: Map<number, ChannelzSocket>;
  readonly sockets: Map<number, ChannelzSocket>;
}

interface Registry {
  nextId: number;
  readonly servers: Map<number, ChannelzServer>;
  readonly sockets: Map<number, ChannelzSocket>;
}

/** The first id grpc-aio gives; lower ids belong to grpc-js. */
const FIRST_CHANNELZ_ID = 2 ** 40;

const KEY = Symbol.for('@grpc-aio/server.channelz');
const registry: Registry = ((globalThis as { [KEY]?: Registry })[KEY] ??= {
  nextId: FIRST_CHANNELZ_ID,
  servers: new Map(),
  sockets: new Map(),
});

/** The servers, connections and listeners grpc-aio knows, by id. */
export function channelzRegistry(): {
  readonly servers: ReadonlyMap<number, ChannelzServer>;
  readonly sockets: ReadonlyMap<number, ChannelzSocket>;
} {
  return registry;
}

export function registerServer(): ChannelzServer {
  const server: ChannelzServer = {
    id: registry.nextId++,
    callsStarted: 0,
    callsSucceeded: 0,
    callsFailed: 0,
    lastCallStarted: undefined,
    listenSockets: new Map(),
    sockets: new Map(),
  };
  registry.servers.set(server.id, server);
  return server;
}

export function unregisterServer(server: ChannelzServer): void {
  registry.servers.delete(server.id);
  for (const id of server.listenSockets.keys()) registry.sockets.delete(id);
  for (const id of server.sockets.keys()) registry.sockets.delete(id);
}

export function newSocket(
  name: string,
  local: SocketAddress | undefined,
  remote: SocketAddress | undefined,
): ChannelzSocket {
  const socket: ChannelzSocket = {
    id: registry.nextId++,
    name,
    local,
    remote,
    cipher: undefined,
    streamsStarted: 0,
    streamsSucceeded: 0,
    streamsFailed: 0,
    messagesSent: 0,
    messagesReceived: 0,
    keepAlivesSent: 0,
    lastRemoteStreamCreated: undefined,
    lastMessageSent: undefined,
    lastMessageReceived: undefined,
  };
  registry.sockets.set(socket.id, socket);
  return socket;
}

export function dropSocket(socket: ChannelzSocket): void {
  registry.sockets.delete(socket.id);
}

/** The channelz address of a node:net endpoint. */
export function socketAddress(
  address: string | undefined,
  port: number | undefined,
): SocketAddress | undefined {
  if (address === undefined) return undefined;
  return port === undefined ? { path: address } : { host: address, port };
}
