import protobuf from 'protobufjs';

// The messages of grpc/reflection/v1alpha/reflection.proto and grpc/reflection/v1/reflection.proto
// (identical apart from the package), parsed once with their real file names so that the
// reflection service can describe itself.

/** The file that declares `grpc.reflection.v1alpha.ServerReflection`. */
const REFLECTION_V1ALPHA_FILE = 'grpc/reflection/v1alpha/reflection.proto';
/** The file that declares `grpc.reflection.v1.ServerReflection`. */
const REFLECTION_V1_FILE = 'grpc/reflection/v1/reflection.proto';

function reflectionSource(packageName: string): string {
  return `syntax = "proto3";
package ${packageName};

service ServerReflection {
  rpc ServerReflectionInfo(stream ServerReflectionRequest) returns (stream ServerReflectionResponse);
}

message ServerReflectionRequest {
  string host = 1;
  oneof message_request {
    string file_by_filename = 3;
    string file_containing_symbol = 4;
    ExtensionRequest file_containing_extension = 5;
    string all_extension_numbers_of_type = 6;
    string list_services = 7;
  }
}

message ExtensionRequest {
  string containing_type = 1;
  int32 extension_number = 2;
}

message ServerReflectionResponse {
  string valid_host = 1;
  ServerReflectionRequest original_request = 2;
  oneof message_response {
    FileDescriptorResponse file_descriptor_response = 4;
    ExtensionNumberResponse all_extension_numbers_response = 5;
    ListServiceResponse list_services_response = 6;
    ErrorResponse error_response = 7;
  }
}

message FileDescriptorResponse {
  repeated bytes file_descriptor_proto = 1;
}

message ExtensionNumberResponse {
  string base_type_name = 1;
  repeated int32 extension_number = 2;
}

message ListServiceResponse {
  repeated ServiceResponse service = 1;
}

message ServiceResponse {
  string name = 1;
}

message ErrorResponse {
  int32 error_code = 1;
  string error_message = 2;
}
`;
}

// protobufjs's parser stamps each object with the file it is parsing (undeclared in its types).
const parseState = protobuf.parse as unknown as { filename: string | null };

let cached: protobuf.Root | undefined;

/** The Root holding both reflection files (built on first use, not at import). */
export function reflectionRoot(): protobuf.Root {
  if (cached !== undefined) return cached;
  const root = new protobuf.Root();
  for (const [file, packageName] of [
    [REFLECTION_V1ALPHA_FILE, 'grpc.reflection.v1alpha'],
    [REFLECTION_V1_FILE, 'grpc.reflection.v1'],
  ] as const) {
    parseState.filename = file;
    try {
      protobuf.parse(reflectionSource(packageName), root, { keepCase: true });
    } finally {
      parseState.filename = null;
    }
    root.files.push(file);
  }
  root.resolveAll();
  cached = root;
  return root;
}

/** `grpc.reflection.v1alpha.ExtensionRequest`. */
export interface ExtensionRequest {
  containing_type?: string;
  extension_number?: number;
}

/**
 * A `ServerReflectionRequest` as the reflection service receives it (field names as in the .proto;
 * only the fields that were sent are present). At most one of the request kinds is set.
 */
export interface ServerReflectionRequest {
  host?: string;
  file_by_filename?: string;
  file_containing_symbol?: string;
  file_containing_extension?: ExtensionRequest;
  all_extension_numbers_of_type?: string;
  list_services?: string;
}

/** A `ServerReflectionResponse` as the reflection service sends it (one response kind set). */
export interface ServerReflectionResponse {
  valid_host: string;
  original_request: ServerReflectionRequest;
  /** The serialized `google.protobuf.FileDescriptorProto`s: the file asked for, then its imports. */
  file_descriptor_response?: { file_descriptor_proto: Uint8Array[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

function types(): { request: protobuf.Type; response: protobuf.Type } {
  const root = reflectionRoot();
  return {
    request: root.lookupType('grpc.reflection.v1alpha.ServerReflectionRequest'),
    response: root.lookupType('grpc.reflection.v1alpha.ServerReflectionResponse'),
  };
}

/** Decodes a `ServerReflectionRequest` (v1alpha and v1 share the wire format). */
export function decodeReflectionRequest(bytes: Uint8Array): ServerReflectionRequest {
  const { request } = types();
  return request.toObject(request.decode(bytes), { longs: Number }) as ServerReflectionRequest;
}

/** Encodes a `ServerReflectionResponse` (v1alpha and v1 share the wire format). */
export function encodeReflectionResponse(response: ServerReflectionResponse): Uint8Array {
  const { response: type } = types();
  return type.encode(type.fromObject(response as unknown as Record<string, unknown>)).finish();
}
