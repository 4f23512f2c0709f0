import {
  type CallTelemetry,
  checkTelemetry,
  type GenericRpcHandler,
  type HandlerCallDetails,
  type RpcMethodHandler,
  type ServerCallTelemetry,
} from '@grpc-aio/core';
import { validateServerInterceptors } from '@grpc-aio/interceptors/internal';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import { Metadata } from '@grpc-aio/metadata';
import {
  isGenericRpcHandler,
  isRpcMethodHandler,
  rpcTelemetry,
  type ServerRpc,
} from '@grpc-aio/server/internal';
import { DEFAULT_TAKE_TIMEOUT } from './fake-channel-types.js';
import { HarnessCall, type Kind, kindName } from './harness-call.js';
import { type MethodRef, methodPath } from './method-ref.js';
import { checkFakeOptions, checkOptions, checkStringOption } from './options.js';
import type {
  InvokeOptions,
  ServerHarnessOptions,
  ServicerMap,
  StreamStreamServerRpc,
  StreamUnaryServerRpc,
  UnaryStreamServerRpc,
  UnaryUnaryServerRpc,
} from './servicer-harness-types.js';
import { strictRealTime, type Time } from './time.js';

// The servicer harness itself: FakeServer (the handlers, the options every RPC reads, and the
// test's invoke*) and serverFromHandlers(), which checks the options and makes one. The public
// types and constants are in servicer-harness-types.ts; each RPC is a HarnessCall (harness-call.ts).

/** What `context.peer()` gives unless the harness was told otherwise. */
export const FAKE_CLIENT_PEER = 'ipv4:127.0.0.1:0';

const textBytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The keys of {@link ServerHarnessOptions}: anything else is refused. */
const HARNESS_OPTIONS = new Set([
  'time',
  'interceptors',
  'peer',
  'authContext',
  'peerIdentityKey',
  'takeTimeout',
  'telemetry',
]);
/** The keys of {@link InvokeOptions}: anything else is refused. */
const INVOKE_OPTIONS = new Set(['metadata', 'timeout']);

function invokeOptionHint(key: string): string | undefined {
  return key === 'deadline' ? 'give timeout, in seconds' : undefined;
}

const UNARY_UNARY: Kind = { requestStreaming: false, responseStreaming: false };
const UNARY_STREAM: Kind = { requestStreaming: false, responseStreaming: true };
const STREAM_UNARY: Kind = { requestStreaming: true, responseStreaming: false };
const STREAM_STREAM: Kind = { requestStreaming: true, responseStreaming: true };

/**
 * A server without sockets whose client is the test (Python's `grpc_testing.Server`, async):
 * handlers run with the server's own `ServicerContext` (the RPC machinery of @grpc-aio/server
 * over a fake transport), behind the server interceptors.
 * Messages pass by reference: handlers get the request objects the test sends, and the test the
 * response objects they return or yield (the handlers' codecs are not used).
 */
export class FakeServer {
  readonly time: Time;
  readonly interceptors: readonly ServerInterceptor[];
  readonly peer: string;
  readonly authContext: Readonly<Record<string, readonly Uint8Array[]>>;
  readonly peerIdentityKey: string | undefined;
  readonly takeTimeout: number;
  readonly #telemetry: CallTelemetry | undefined;
  readonly #registered = new Map<string, RpcMethodHandler>();
  readonly #generic: GenericRpcHandler[] = [];

  /** @internal Use {@link serverFromHandlers}. */
  constructor(handlers: readonly GenericRpcHandler[] | ServicerMap, options: ServerHarnessOptions) {
    this.time = options.time ?? strictRealTime();
    this.interceptors = validateServerInterceptors(options.interceptors);
    this.peer = options.peer ?? FAKE_CLIENT_PEER;
    this.authContext = options.authContext ?? {
      transport_security_type: [textBytes('insecure')],
      security_level: [textBytes('TSI_SECURITY_NONE')],
    };
    this.peerIdentityKey = options.peerIdentityKey;
    this.takeTimeout = options.takeTimeout ?? DEFAULT_TAKE_TIMEOUT;
    this.#telemetry = checkTelemetry('serverFromHandlers()', options.telemetry);
    if (Array.isArray(handlers)) {
      handlers.forEach((handler: unknown, index) => {
        if (!isGenericRpcHandler(handler)) {
          throw new TypeError(
            `Handler at index ${index} must be a GenericRpcHandler (an object with service()).`,
          );
        }
        this.#generic.push(handler);
      });
    } else if (typeof handlers === 'object' && handlers !== null) {
      for (const [service, methods] of Object.entries(handlers as ServicerMap)) {
        for (const [name, handler] of Object.entries(methods)) {
          if (!isRpcMethodHandler(handler)) {
            throw new TypeError(`Handler of method "${name}" must be an RpcMethodHandler.`);
          }
          this.#registered.set(`/${service}/${name}`, handler);
        }
      }
    } else {
      throw new TypeError(
        'serverFromHandlers() needs GenericRpcHandlers or { service: { method: handler } }.',
      );
    }
  }

  /** @internal The recorder of a new RPC (its own telemetry, else the global one), or undefined. */
  callTelemetry(method: string, rpc: ServerRpc): ServerCallTelemetry | undefined {
    return rpcTelemetry(this.#telemetry, rpc, this.#registered.has(method));
  }

  /** @internal Registered handlers first, then the generic ones in order. */
  findHandler(details: HandlerCallDetails): RpcMethodHandler | null | undefined {
    const registered = this.#registered.get(details.method);
    if (registered !== undefined) return registered;
    for (const handler of this.#generic) {
      const found = handler.service(details);
      if (found != null) return found;
    }
    return undefined;
  }

  #invoke<TRpc>(kind: Kind, method: MethodRef, options: InvokeOptions | undefined, request?: unknown): TRpc {
    const name = kindName(kind);
    const what = `invoke${name.charAt(0).toUpperCase()}${name.slice(1)}()`;
    const path = methodPath(method);
    if (options != null) checkOptions(what, options, INVOKE_OPTIONS, invokeOptionHint);
    const timeout = options?.timeout;
    if (timeout != null && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
      throw new TypeError('timeout must be a number of seconds.');
    }
    const call = new HarnessCall(this, path, kind, Metadata.from(options?.metadata), timeout ?? undefined);
    return call.start(request, !kind.requestStreaming) as unknown as TRpc;
  }

  // The request types default to `unknown` (requests are only sent); the response types to `any`,
  // as the RPCs' (a test reads the responses of a method named by path without casts).

  /** Invokes a unary-unary method with `request`. */
  // biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
  invokeUnaryUnary<TRequest = unknown, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    request: TRequest,
    options?: InvokeOptions,
  ): UnaryUnaryServerRpc<TResponse> {
    return this.#invoke(UNARY_UNARY, method, options, request);
  }

  /** Invokes a unary-stream method with `request`; take its responses with `takeResponse()`. */
  // biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
  invokeUnaryStream<TRequest = unknown, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    request: TRequest,
    options?: InvokeOptions,
  ): UnaryStreamServerRpc<TResponse> {
    return this.#invoke(UNARY_STREAM, method, options, request);
  }

  /** Invokes a stream-unary method; send requests with `sendRequest()`, then `closeRequests()`. */
  // biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
  invokeStreamUnary<TRequest = unknown, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: InvokeOptions,
  ): StreamUnaryServerRpc<TRequest, TResponse> {
    return this.#invoke(STREAM_UNARY, method, options);
  }

  /** Invokes a stream-stream method. */
  // biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
  invokeStreamStream<TRequest = unknown, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: InvokeOptions,
  ): StreamStreamServerRpc<TRequest, TResponse> {
    return this.#invoke(STREAM_STREAM, method, options);
  }
}

/**
 * A servicer harness (Python's `grpc_testing.server_from_dictionary`): `handlers` are
 * GenericRpcHandlers (e.g. from `methodHandlersGenericHandler`) or `{ 'pkg.Service': { Method:
 * handler } }`.
 */
export function serverFromHandlers(
  handlers: GenericRpcHandler | readonly GenericRpcHandler[] | ServicerMap,
  options: ServerHarnessOptions = {},
): FakeServer {
  checkFakeOptions('serverFromHandlers()', options, HARNESS_OPTIONS);
  checkStringOption('serverFromHandlers()', 'peer', options.peer);
  checkStringOption('serverFromHandlers()', 'peerIdentityKey', options.peerIdentityKey);
  if (options.authContext != null && typeof options.authContext !== 'object')
    throw new TypeError(
      'serverFromHandlers() option authContext must be an object of byte arrays by property.',
    );
  const list = isGenericRpcHandler(handlers) ? [handlers] : handlers;
  return new FakeServer(list as readonly GenericRpcHandler[] | ServicerMap, options);
}
