import type { MethodHandlers, RpcMethodHandler, Server } from '@grpc-aio/core';
import { StatusCode, statusCodeDescription } from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import protobuf from 'protobufjs';
import { buildDescriptorPool, type DescriptorPool, withDependencies } from './descriptor-pool.js';
import {
  decodeReflectionRequest,
  encodeReflectionResponse,
  reflectionRoot,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from './reflection-proto.js';

// Server reflection (Python's grpc_reflection.v1alpha.reflection): the ServerReflection service,
// answering from descriptors built out of the protobufjs Roots the services were loaded from.

/** The reflection service's full name (Python's `reflection.SERVICE_NAME`). */
export const REFLECTION_SERVICE_NAME = 'grpc.reflection.v1alpha.ServerReflection';

/** The same service in the newer `grpc.reflection.v1` package, served alongside. */
export const REFLECTION_V1_SERVICE_NAME = 'grpc.reflection.v1.ServerReflection';

/** The reflection method, under both service names. */
export const REFLECTION_METHOD_NAME = 'ServerReflectionInfo';

/**
 * Where the descriptors come from: a protobufjs `Root`, or anything loading returns that holds one
 * (`Protos`, `ProtosAndServices`, generated modules' `protos`).
 */
export type ReflectionSource =
  | protobuf.Root
  | { readonly root: protobuf.Root }
  | { readonly protos: { readonly root: protobuf.Root } };

/** Options of {@link ReflectionServicer} and {@link enableServerReflection}. */
export interface ReflectionOptions {
  /**
   * The include directories the .proto files were loaded with: absolute file names are served
   * relative to them (`helloworld.proto`, as protoc names files). Without them, relative to the
   * deepest directory holding every loaded file.
   */
  readonly includeDirs?: readonly string[] | undefined;
}

/** The keys of {@link ReflectionOptions}: anything else is refused. */
const REFLECTION_OPTIONS = new Set(['includeDirs']);

function checkReflectionOptions(what: string, options: unknown): ReflectionOptions {
  if (options == null) return {};
  if (typeof options !== 'object')
    throw new TypeError(`${what} options must be an object, got ${typeof options}.`);
  rejectUnknownOptions(what, options, REFLECTION_OPTIONS, (key) =>
    key === 'includeDir' ? 'give includeDirs, an array' : undefined,
  );
  const { includeDirs } = options as ReflectionOptions;
  if (
    includeDirs !== undefined &&
    (!Array.isArray(includeDirs) || !includeDirs.every((dir) => typeof dir === 'string'))
  ) {
    throw new TypeError(`${what} option includeDirs must be an array of directory names.`);
  }
  return options as ReflectionOptions;
}

/** Error message of a reflection source that is not a Root. */
export const NOT_A_REFLECTION_SOURCE =
  'sources must be protobufjs Roots or loaded protos (objects with a protobufjs Root as root)';

function rootOf(source: unknown): protobuf.Root {
  if (source instanceof protobuf.Root) return source;
  if (typeof source === 'object' && source !== null) {
    const holder = source as { root?: unknown; protos?: { root?: unknown } };
    if (holder.root instanceof protobuf.Root) return holder.root;
    if (holder.protos?.root instanceof protobuf.Root) return holder.protos.root;
  }
  throw new TypeError(NOT_A_REFLECTION_SOURCE);
}

function sourceList(sources: ReflectionSource | readonly ReflectionSource[]): protobuf.Root[] {
  return Array.isArray(sources)
    ? (sources as readonly unknown[]).map(rootOf)
    : [rootOf(sources as ReflectionSource)];
}

function errorResponse(code: StatusCode): NonNullable<ServerReflectionResponse['error_response']> {
  // Python sends the lowercase words of its enum value: 'not found', 'invalid argument'.
  return { error_code: code, error_message: statusCodeDescription(code) };
}

/**
 * The reflection servicer (Python's `ReflectionServicer`, the aio flavour: requests are an async
 * iterable and responses an async generator). Lists `serviceNames` (plus the reflection service
 * itself) and describes every file of the given sources.
 *
 * Unlike Python, there is no process-wide descriptor pool to fall back on: the sources say where
 * the descriptors are.
 */
export class ReflectionServicer {
  readonly #serviceNames: readonly string[];
  readonly #pool: DescriptorPool;

  /**
   * @param serviceNames the fully-qualified names of the services to list.
   * @param sources the Root(s) or loaded protos that declare them (and anything else to describe).
   * @param options `includeDirs`, the directories the files were loaded with.
   * @throws TypeError for a name that is not a string, a source without a protobufjs Root, or an
   *   option it does not take.
   */
  constructor(
    serviceNames: Iterable<string>,
    sources: ReflectionSource | readonly ReflectionSource[],
    options?: ReflectionOptions,
  ) {
    const checked = checkReflectionOptions('new ReflectionServicer()', options);
    if (typeof serviceNames === 'string' || typeof serviceNames?.[Symbol.iterator] !== 'function') {
      throw new TypeError('serviceNames must be an iterable of service names');
    }
    const names = new Set([REFLECTION_SERVICE_NAME, REFLECTION_V1_SERVICE_NAME]);
    for (const name of serviceNames) {
      if (typeof name !== 'string' || name === '')
        throw new TypeError('serviceNames must be an iterable of service names');
      names.add(name);
    }
    this.#serviceNames = Object.freeze([...names].sort());
    this.#pool = buildDescriptorPool([...sourceList(sources), reflectionRoot()], checked);
  }

  /** The names `list_services` answers, sorted. */
  serviceNames(): readonly string[] {
    return this.#serviceNames;
  }

  /** The names of every file this servicer can describe. */
  fileNames(): string[] {
    return [...this.#pool.files.keys()];
  }

  /**
   * The method handlers, for `server.addRegisteredMethodHandlers(REFLECTION_SERVICE_NAME, ...)`
   * (and the v1 name): one bidirectional-streaming `ServerReflectionInfo`.
   */
  handlers(): MethodHandlers {
    const handler: RpcMethodHandler<ServerReflectionRequest, ServerReflectionResponse> = {
      requestStreaming: true,
      responseStreaming: true,
      requestDeserializer: decodeReflectionRequest,
      responseSerializer: encodeReflectionResponse,
      streamStream: (requests) => this.serverReflectionInfo(requests),
    };
    return Object.freeze({ [REFLECTION_METHOD_NAME]: handler });
  }

  /** The RPC itself (Python's `ServerReflectionInfo`): one response per request, in order. */
  async *serverReflectionInfo(
    requests: AsyncIterable<ServerReflectionRequest>,
  ): AsyncGenerator<ServerReflectionResponse, void, undefined> {
    for await (const request of requests) yield this.respond(request);
  }

  /** The response to one request. */
  respond(request: ServerReflectionRequest): ServerReflectionResponse {
    const base = { valid_host: request.host ?? '', original_request: request };
    if (request.file_by_filename !== undefined) {
      return { ...base, ...this.#files(request.file_by_filename) };
    }
    if (request.file_containing_symbol !== undefined) {
      return { ...base, ...this.#files(this.#pool.symbols.get(request.file_containing_symbol)) };
    }
    if (request.file_containing_extension !== undefined) {
      const { containing_type: type = '', extension_number: number = 0 } = request.file_containing_extension;
      return { ...base, ...this.#files(this.#pool.extensions.get(type)?.get(number)) };
    }
    if (request.all_extension_numbers_of_type !== undefined) {
      const type = request.all_extension_numbers_of_type;
      if (!this.#pool.messages.has(type))
        return { ...base, error_response: errorResponse(StatusCode.NOT_FOUND) };
      const numbers = [...(this.#pool.extensions.get(type)?.keys() ?? [])].sort((a, b) => a - b);
      return { ...base, all_extension_numbers_response: { base_type_name: type, extension_number: numbers } };
    }
    if (request.list_services !== undefined) {
      return {
        ...base,
        list_services_response: { service: this.#serviceNames.map((name) => ({ name })) },
      };
    }
    return { ...base, error_response: errorResponse(StatusCode.INVALID_ARGUMENT) };
  }

  #files(
    fileName: string | undefined,
  ): Pick<ServerReflectionResponse, 'file_descriptor_response' | 'error_response'> {
    const files = fileName === undefined ? undefined : withDependencies(this.#pool, fileName);
    if (files === undefined) return { error_response: errorResponse(StatusCode.NOT_FOUND) };
    return { file_descriptor_response: { file_descriptor_proto: files.map((file) => file.bytes) } };
  }
}

/**
 * Enables server reflection on a server (Python's `enable_server_reflection`): registers the
 * reflection service as `grpc.reflection.v1alpha.ServerReflection` and
 * `grpc.reflection.v1.ServerReflection`. Call before `server.start()`.
 *
 * Python reads descriptors from the process-wide default pool when `pool` is None; TypeScript has
 * no such pool, so `sources` names the protobufjs Root(s) or loaded protos the services come from.
 * @param serviceNames fully-qualified names of the services to list (the reflection service is
 *   always listed too).
 * @param server the server to add the service to.
 * @param sources where the descriptors come from.
 * @param options as {@link ReflectionServicer}'s.
 * @returns the servicer registered.
 * @throws TypeError for bad names, sources or options.
 */
export function enableServerReflection(
  serviceNames: Iterable<string>,
  server: Server,
  sources: ReflectionSource | readonly ReflectionSource[],
  options?: ReflectionOptions,
): ReflectionServicer {
  checkReflectionOptions('enableServerReflection()', options);
  const servicer = new ReflectionServicer(serviceNames, sources, options);
  const handlers = servicer.handlers();
  server.addRegisteredMethodHandlers(REFLECTION_SERVICE_NAME, handlers);
  server.addRegisteredMethodHandlers(REFLECTION_V1_SERVICE_NAME, handlers);
  return servicer;
}
