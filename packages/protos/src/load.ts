import protobuf from 'protobufjs';
import {
  camelName,
  defineMethod,
  defineService,
  type MethodDescriptor,
  type MethodDescriptors,
  type ServiceDescriptor,
  type Services,
} from './descriptors.js';
import { loadRoot, type ProtoPaths, parseSource, resolveRoot, rootFromDescriptorSet } from './load-root.js';
import { type MessageType, messageType } from './message-type.js';
import { type ConversionOptions, checkLoadOptions, conversionOptions, type LoadOptions } from './options.js';

/**
 * The messages and enums of loaded .proto files (Python's `protos` module), by full name.
 */
export interface Protos {
  /** The protobufjs Root everything was loaded into. */
  readonly root: protobuf.Root;
  /** Message types by full name, e.g. `messages['helloworld.HelloRequest']`. */
  readonly messages: Readonly<Record<string, MessageType>>;
  /** Enums by full name: value name to number, e.g. `enums['shared.Color'].RED === 1`. */
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * The message type `fullName`.
   * @throws TypeError naming the known types when there is no such message.
   */
  // biome-ignore lint/suspicious/noExplicitAny: as MessageType's default: plain objects read without casts unless the caller names T
  message<T = any>(fullName: string): MessageType<T>;
}

/** Both halves of a load (Python's `protos_and_services()` tuple). */
export interface ProtosAndServices {
  readonly protos: Protos;
  readonly services: Services;
}

/** Options of {@link loadFromSource}: the load options plus the name used in error messages. */
export interface SourceOptions extends LoadOptions {
  /** The name of the source in error messages and import resolution; default `'<source>'`. */
  filename?: string | undefined;
}

function* walk(namespace: protobuf.NamespaceBase): Generator<protobuf.ReflectionObject> {
  for (const object of namespace.nestedArray) {
    yield object;
    if (object instanceof protobuf.Namespace || object instanceof protobuf.Type) yield* walk(object);
  }
}

function bareName(object: protobuf.ReflectionObject): string {
  return object.fullName.replace(/^\./, '');
}

/** The message type wrapper of each resolved type, built once per Type. */
function messageTypes(root: protobuf.Root, conversion: ConversionOptions): Map<protobuf.Type, MessageType> {
  const types = new Map<protobuf.Type, MessageType>();
  for (const object of walk(root)) {
    if (object instanceof protobuf.Type) types.set(object, messageType(object, conversion));
  }
  return types;
}

function buildProtos(root: protobuf.Root, types: Map<protobuf.Type, MessageType>): Protos {
  const messages: Record<string, MessageType> = {};
  for (const [type, wrapped] of types) messages[bareName(type)] = wrapped;
  const enums: Record<string, Readonly<Record<string, number>>> = {};
  for (const object of walk(root)) {
    if (object instanceof protobuf.Enum) enums[bareName(object)] = Object.freeze({ ...object.values });
  }
  Object.freeze(messages);
  return Object.freeze({
    root,
    messages,
    enums: Object.freeze(enums),
    message<T>(fullName: string): MessageType<T> {
      const found = Object.hasOwn(messages, fullName) ? messages[fullName] : undefined;
      if (found === undefined) {
        throw new TypeError(
          `Unknown message type '${fullName}'. Known: ${Object.keys(messages).sort().join(', ')}`,
        );
      }
      return found as MessageType<T>;
    },
  });
}

function buildServices(root: protobuf.Root, types: Map<protobuf.Type, MessageType>): Services {
  const services: Record<string, ServiceDescriptor> = {};
  for (const object of walk(root)) {
    if (!(object instanceof protobuf.Service)) continue;
    const fullName = bareName(object);
    const methods: Record<string, MethodDescriptor> = {};
    for (const method of object.methodsArray) {
      method.resolve();
      const requestType = types.get(method.resolvedRequestType!)!;
      const responseType = types.get(method.resolvedResponseType!)!;
      methods[method.name] = defineMethod(
        fullName,
        {
          name: method.name,
          camelName: camelName(method.name),
          requestStream: method.requestStream === true,
          responseStream: method.responseStream === true,
          request: requestType,
          response: responseType,
          options: method.options,
        },
        { requestType, responseType },
      );
    }
    services[fullName] = defineService(object.name, fullName, methods as MethodDescriptors);
  }
  return Object.freeze(services);
}

/**
 * Messages and services of an already loaded protobufjs Root (resolved here). Decoding follows
 * the conversion options in `options` (`keepCase` and `includeDirs` do not apply).
 * @throws ProtoLoadError when a type reference does not resolve.
 */
export function loadFromRoot(root: protobuf.Root, options?: LoadOptions): ProtosAndServices {
  checkLoadOptions(options);
  if (!(root instanceof protobuf.Root)) throw new TypeError('root must be a protobufjs Root');
  resolveRoot(root);
  const types = messageTypes(root, conversionOptions(options));
  return Object.freeze({ protos: buildProtos(root, types), services: buildServices(root, types) });
}

/**
 * Messages and services of a protobufjs JSON descriptor (`root.toJSON()`, or `pbjs -t json`
 * output): no .proto file needed at run time. Generated code loads itself this way.
 */
export function loadFromJSON(json: protobuf.INamespace | object, options?: LoadOptions): ProtosAndServices {
  if (typeof json !== 'object' || json === null)
    throw new TypeError('json must be a protobufjs JSON descriptor');
  // Root.fromJSON would resolve at once and throw protobufjs's bare error; loadFromRoot resolves.
  const { options: rootOptions, nested } = json as protobuf.INamespace;
  const root = new protobuf.Root();
  if (rootOptions !== undefined) root.setOptions(rootOptions);
  if (nested !== undefined) root.addJSON(nested);
  return loadFromRoot(root, options);
}

/**
 * Messages and services of a serialized `google.protobuf.FileDescriptorSet` (as protoc writes with
 * `--descriptor_set_out --include_imports`).
 * @throws ProtoLoadError when the bytes are not a FileDescriptorSet.
 */
export function loadFromDescriptorSet(descriptorSet: Uint8Array, options?: LoadOptions): ProtosAndServices {
  return loadFromRoot(rootFromDescriptorSet(descriptorSet), options);
}

/**
 * Messages and services of .proto source text held in memory; its imports load from files
 * (`includeDirs`) or from the bundled well-known types.
 * @throws ProtoLoadError naming `filename` and the line.
 */
export function loadFromSource(source: string, options?: SourceOptions): ProtosAndServices {
  return loadFromRoot(parseSource(source, options), options);
}

/**
 * Loads .proto files and returns their messages and enums (Python's `grpc.protos(path)`).
 * Synchronous, like Python's. Imports of `google/protobuf/*.proto` need no files.
 * @param paths one .proto path or several, found via `options.includeDirs` or the current directory.
 * @throws ProtoLoadError for a missing file or import, a syntax error or an unknown type, naming
 *   the file and line.
 */
export function loadProtos(paths: ProtoPaths, options?: LoadOptions): Protos {
  return loadProtosAndServices(paths, options).protos;
}

/**
 * Loads .proto files and returns their services by full name (Python's `grpc.services(path)`):
 * method paths, kinds and codecs, ready for {@link stub} and {@link addServicer}.
 * @throws ProtoLoadError as {@link loadProtos} does.
 */
export function loadServices(paths: ProtoPaths, options?: LoadOptions): Services {
  return loadProtosAndServices(paths, options).services;
}

/**
 * Loads .proto files once and returns both messages and services (Python's
 * `grpc.protos_and_services(path)`).
 * @throws ProtoLoadError as {@link loadProtos} does.
 */
export function loadProtosAndServices(paths: ProtoPaths, options?: LoadOptions): ProtosAndServices {
  return loadFromRoot(loadRoot(paths, options), options);
}
