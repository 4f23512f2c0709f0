// The grpc.testing messages and services, loaded at run time from protos/test.proto.
import { fileURLToPath } from 'node:url';
import { loadProtosAndServices } from '@grpc-aio/protos';

/** Absolute path of the interop .proto file (shared with the grpc-js and Python peers). */
const TEST_PROTO = fileURLToPath(new URL('../protos/test.proto', import.meta.url));

/** Loading options: the same for grpc-aio (protobufjs) and proto-loader. */
const LOAD_OPTIONS = { longs: Number } as const;

const loaded = loadProtosAndServices(TEST_PROTO, LOAD_OPTIONS);

/** The grpc.testing message types. */
export const protos = loaded.protos;
/** grpc.testing.TestService. */
export const TestService = loaded.services['grpc.testing.TestService']!;
/** grpc.testing.UnimplementedService (never served). */
export const UnimplementedService = loaded.services['grpc.testing.UnimplementedService']!;

/** A payload of `size` zero bytes, as the interop cases use. */
export function zeros(size: number): Buffer {
  return Buffer.alloc(size);
}

/** Size of a decoded payload body (absent = 0). */
export function bodySize(payload: { body?: Uint8Array } | null | undefined): number {
  return payload?.body?.length ?? 0;
}
