import type { CallSettings } from './base-call.js';
import type { ConnectionSettings } from './connection-keeper.js';
import type { GrpcWebSettings } from './grpc-web.js';

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
