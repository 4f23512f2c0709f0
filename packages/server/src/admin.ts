import * as grpc from '@grpc/grpc-js';
import type { RpcMethodHandler, Server, ServicerContext } from '@grpc-aio/core';
import { isStatusCode, StatusCode } from '@grpc-aio/core';
import { toGrpcJsMetadata } from '@grpc-aio/metadata/grpc-js';

// Admin services (channelz, and whatever else is registered with grpc-js's registerAdminService)
// are written against grpc-js's callback API. These adapters serve them from a grpc-aio server,
// whose dispatch never reaches grpc-js's own handler table.

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

/**
 * Serves grpc.channelz.v1.Channelz on `server` (Python's `grpcio_channelz.channelz.add_channelz_servicer`),
 * before `start()`. It reports grpc-js's channelz data: the channels grpc-aio opens (unless created
 * with `['grpc.enable_channelz', 0]`) and this process's servers.
 */
export function addChannelzServicer(server: Server): void {
  addGrpcJsService(server, grpc.getChannelzServiceDefinition(), grpc.getChannelzHandlers());
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
  const collector = {
    addService(definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation) {
      addGrpcJsService(server, definition, implementation);
    },
  };
  grpc.addAdminServicesToServer(collector as unknown as grpc.Server);
}
