// grpc-aio/reflection: gRPC server reflection (Python's grpc_reflection.v1alpha.reflection).
export type {
  ExtensionRequest,
  ReflectionOptions,
  ReflectionSource,
  ServerReflectionRequest,
  ServerReflectionResponse,
} from '@grpc-aio/protos';
export {
  enableServerReflection,
  NOT_A_REFLECTION_SOURCE,
  REFLECTION_METHOD_NAME,
  REFLECTION_SERVICE_NAME,
  REFLECTION_SERVICE_NAME as SERVICE_NAME,
  REFLECTION_V1_SERVICE_NAME,
  ReflectionServicer,
} from '@grpc-aio/protos';
