// Runtime .proto loading (Python's grpc.protos / grpc.services / grpc.protos_and_services),
// stubs and servicers for grpc-aio, on protobufjs.

export { addServicer, METHOD_NOT_IMPLEMENTED, servicerHandlers } from './add-servicer.js';
export type {
  MethodDefinition,
  MethodDefinitions,
  MethodDescriptor,
  MethodDescriptors,
  MethodKind,
  ServiceDescriptor,
  Services,
} from './descriptors.js';
export { isServiceDescriptor } from './descriptors.js';
export type { Protos, ProtosAndServices, SourceOptions } from './load.js';
export {
  loadFromDescriptorSet,
  loadFromJSON,
  loadFromRoot,
  loadFromSource,
  loadProtos,
  loadProtosAndServices,
  loadServices,
} from './load.js';
export type { ProtoPaths } from './load-root.js';
export type { MessageType } from './message-type.js';
export type { ConversionOptions, LoadOptions } from './options.js';
export { BAD_LONGS_OPTION } from './options.js';
export { ProtoLoadError } from './proto-load-error.js';
// Server reflection (Python's grpc_reflection.v1alpha.reflection).
export type { ReflectionOptions, ReflectionSource } from './reflection.js';
export {
  enableServerReflection,
  NOT_A_REFLECTION_SOURCE,
  REFLECTION_METHOD_NAME,
  REFLECTION_SERVICE_NAME,
  REFLECTION_V1_SERVICE_NAME,
  ReflectionServicer,
} from './reflection.js';
export type {
  ExtensionRequest,
  ServerReflectionRequest,
  ServerReflectionResponse,
} from './reflection-proto.js';
// Rich error status (Python's grpc_status.rpc_status).
export type { AnyMessage, RpcStatus } from './rpc-status.js';
export {
  anyIs,
  decodeRpcStatus,
  encodeRpcStatus,
  fromCall,
  fromRpcError,
  GRPC_DETAILS_METADATA_KEY,
  packAny,
  StatusDetailsMetadataDecodeError,
  StatusDetailsMetadataValueError,
  TYPE_URL_PREFIX,
  toStatus,
  unpackAny,
} from './rpc-status.js';
export { NOT_A_SERVICE, stub } from './stub.js';
// ts-proto's generic service definitions (outputServices=generic-definitions) as descriptors. For
// protobuf-es v2 services see the `@grpc-aio/protos/protobuf-es` subpath.
export type {
  TsProtoMessageFns,
  TsProtoMethodDefinition,
  TsProtoMethods,
  TsProtoServiceDefinition,
} from './ts-proto.js';
export { fromTsProto, NOT_A_TS_PROTO_DEFINITION } from './ts-proto.js';
export type {
  BehaviorOf,
  MultiCallableOf,
  Servicer,
  ServicerImplementation,
  Stub,
  UntypedStub,
} from './typed.js';
export { ONEOF_CONFLICT, UNKNOWN_FIELD } from './validate.js';
