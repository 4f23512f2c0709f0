import type { Clock, HandlerCallDetails, RpcMethodHandler } from '@grpc-aio/core';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import { describeThrown } from './describe-error.js';
import { describeType, toBuffer } from './handler-values.js';

// A unary-request call must carry exactly one request. C-core leaves that to the wrapper: Python's
// sync server answers UNIMPLEMENTED ("... requires exactly one request message."), as grpc-js does;
// grpc.aio never answers a call without its request. Both cases get UNIMPLEMENTED here.
/** The details of a request that arrived on a unary-request method without its message. */
export const NO_REQUEST = 'Received no request message for a unary-request method.';
/** The details of a second request on a unary-request method. */
export const SECOND_REQUEST = 'Received a second request message for a unary-request method.';
/** `context.write()` on an RPC whose response is unary. */
export const WRITE_ON_UNARY_RESPONSE =
  'write() is only for response-streaming RPCs; return the response instead.';

/** The RPC that ended (a ServerRpc; typed structurally so that this module does not import it). */
interface EndedRpc {
  readonly method: string;
}

/** What an RPC needs from its server. */
export interface RpcHost {
  readonly interceptors: readonly ServerInterceptor[];
  /** Registered handlers, then generic handlers; `details` is made only if a generic handler needs it. */
  findHandler(path: string, details: () => HandlerCallDetails): RpcMethodHandler | null | undefined;
  /** Takes a slot under `maximumConcurrentRpcs`; false when none is free. */
  admit(): boolean;
  /** The RPC is over and none of its user code runs any more. */
  ended(rpc: EndedRpc, admitted: boolean): void;
  /** The clock of deadlines and `timeRemaining()` (default: the system clock). */
  readonly clock?: Clock | undefined;
  /** Replaces every handler's codecs, for a transport that carries objects (the servicer harness). */
  readonly codec?: MessageCodec | undefined;
}

/** How messages on the transport become requests, and responses messages. */
export interface MessageCodec {
  /** In place of the handler's `requestDeserializer`. */
  readonly deserialize: (message: Buffer) => unknown;
  /** In place of the handler's `responseSerializer`; must return a Uint8Array. */
  readonly serialize: (response: unknown) => Uint8Array;
}

/** A response's bytes, or why it has none (the status details and the error to throw). */
export type Serialized = Buffer | { readonly problem: string; readonly failure: unknown };

/** Serializes one response with `serializer` (none: the response must already be bytes). */
export function serializeResponse(
  serializer: ((response: unknown) => Uint8Array) | null | undefined,
  response: unknown,
): Serialized {
  let bytes: unknown;
  try {
    bytes = serializer == null ? response : serializer(response);
  } catch (error) {
    return { problem: `Failed to serialize response: ${describeThrown(error)}`, failure: error };
  }
  if (bytes instanceof Uint8Array) return toBuffer(bytes);
  const problem =
    serializer == null
      ? `A response must be a Uint8Array when its method handler has no responseSerializer, got ${describeType(response)}.`
      : `The responseSerializer must return a Uint8Array, got ${describeType(bytes)}.`;
  return { problem: `Failed to serialize response: ${problem}`, failure: new TypeError(problem) };
}
