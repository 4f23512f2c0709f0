import { fileURLToPath } from 'node:url';
import { StatusCode } from '@grpc-aio/core';
import { fakeServer } from '@grpc-aio/test-support';
import protobuf from 'protobufjs';
import descriptorExtension from 'protobufjs/ext/descriptor/index.js';
import { describe, expect, it } from 'vitest';
import {
  enableServerReflection,
  loadFromDescriptorSet,
  loadFromJSON,
  loadFromSource,
  loadProtos,
  NOT_A_REFLECTION_SOURCE,
  REFLECTION_SERVICE_NAME,
  REFLECTION_V1_SERVICE_NAME,
  ReflectionServicer,
  type ServerReflectionRequest,
} from '../src/index.js';

const descriptor = descriptorExtension as unknown as {
  FileDescriptorProto: protobuf.Type;
  FileDescriptorSet: protobuf.Type;
};

interface FileProto {
  name: string;
  package?: string;
  dependency?: string[];
  syntax?: string;
  messageType?: {
    name: string;
    field?: {
      name: string;
      typeName?: string;
      oneofIndex?: number;
      proto3Optional?: boolean;
      extendee?: string;
      options?: { packed?: boolean };
    }[];
    nestedType?: { name: string; options?: { mapEntry?: boolean }; field?: { typeName?: string }[] }[];
    oneofDecl?: { name: string }[];
    extension?: { name: string; extendee?: string }[];
  }[];
  service?: { name: string; method: { name: string; inputType: string; outputType: string }[] }[];
  extension?: { name: string; extendee?: string; number: number }[];
}

function decodeFile(bytes: Uint8Array): FileProto {
  return descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes)) as FileProto;
}

function files(servicer: ReflectionServicer, request: ServerReflectionRequest): FileProto[] {
  const response = servicer.respond(request);
  expect(response.error_response).toBeUndefined();
  return response.file_descriptor_response!.file_descriptor_proto.map(decodeFile);
}

const includeDirs = [fileURLToPath(new URL('./protos', import.meta.url))];

const SOURCE = `syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";

enum Size { SIZE_UNSPECIFIED = 0; LARGE = 1; }

message Order {
  message Line { string sku = 1; int32 quantity = 2; }
  string id = 1;
  repeated Line lines = 2;
  map<string, Line> by_sku = 3;
  google.protobuf.Timestamp placed_at = 4;
  optional string note = 5;
  oneof payment { string card = 6; string cash = 7; }
  Size size = 8;
  repeated int32 counts = 9 [packed = false];
  repeated sint64 packed_counts = 10;
}

service Shop {
  rpc Place(Order) returns (Order);
  rpc Watch(stream Order) returns (stream Order);
}
`;

const EXTENSIONS = `syntax = "proto2";
package ext.v1;
message Base { optional string name = 1; extensions 100 to 200; }
extend Base { optional int32 weight = 100; optional string color = 101; }
`;

describe('A77 ReflectionServicer', () => {
  const shop = loadFromSource(SOURCE, { filename: 'shop/v1/shop.proto', keepCase: true });
  const servicer = new ReflectionServicer(['shop.v1.Shop'], shop.protos);

  it('A77 list_services lists the services given plus both reflection services, sorted', () => {
    expect(servicer.respond({ host: 'h', list_services: '' })).toEqual({
      valid_host: 'h',
      original_request: { host: 'h', list_services: '' },
      list_services_response: {
        service: [
          { name: REFLECTION_V1_SERVICE_NAME },
          { name: REFLECTION_SERVICE_NAME },
          { name: 'shop.v1.Shop' },
        ],
      },
    });
  });

  it('A77 file_containing_symbol returns the file with fully-qualified names, then its imports', () => {
    const [file, ...dependencies] = files(servicer, { file_containing_symbol: 'shop.v1.Shop' });
    expect(file!.name).toBe('shop/v1/shop.proto');
    expect(file!.package).toBe('shop.v1');
    expect(file!.syntax).toBe('proto3');
    expect(file!.dependency).toEqual(['google/protobuf/timestamp.proto']);
    expect(dependencies.map((dependency) => dependency.name)).toEqual(['google/protobuf/timestamp.proto']);
    expect(dependencies[0]!.package).toBe('google.protobuf');
    expect(dependencies[0]!.messageType!.map((type) => type.name)).toEqual(['Timestamp']);
    expect(file!.service).toEqual([
      {
        name: 'Shop',
        method: [
          expect.objectContaining({
            name: 'Place',
            inputType: '.shop.v1.Order',
            outputType: '.shop.v1.Order',
          }),
          expect.objectContaining({ name: 'Watch', clientStreaming: true, serverStreaming: true }),
        ],
      },
    ]);
    const order = file!.messageType!.find((type) => type.name === 'Order')!;
    const fields = Object.fromEntries(order.field!.map((field) => [field.name, field]));
    expect(fields.lines!.typeName).toBe('.shop.v1.Order.Line');
    expect(fields.placed_at!.typeName).toBe('.google.protobuf.Timestamp');
    expect(fields.size!.typeName).toBe('.shop.v1.Size');
    expect(fields.by_sku!.typeName).toBe('.shop.v1.Order.BySkuEntry');
    const entry = order.nestedType!.find((type) => type.name === 'BySkuEntry')!;
    expect(entry.options).toEqual({ mapEntry: true });
    expect(entry.field![1]!.typeName).toBe('.shop.v1.Order.Line');
    // proto3 optional: flagged, and its synthetic oneof comes after the real one.
    expect(fields.note!.proto3Optional).toBe(true);
    expect(order.oneofDecl!.map((oneof) => oneof.name)).toEqual(['payment', '_note']);
    expect(fields.note!.oneofIndex).toBe(1);
    expect(fields.card!.oneofIndex).toBe(0);
    // `packed` only where protoc allows it: repeated numbers written unpacked in proto3.
    expect(fields.counts!.options).toEqual({ packed: false });
    expect(fields.packed_counts!.options).toBeUndefined();
    expect(fields.lines!.options).toBeUndefined();
  });

  it('A77 the descriptors returned rebuild the same types (protobufjs fromDescriptor)', () => {
    const set = descriptor.FileDescriptorSet.fromObject({
      file: files(servicer, { file_containing_symbol: 'shop.v1.Order' }),
    });
    const rebuilt = (
      protobuf.Root as unknown as { fromDescriptor(set: unknown): protobuf.Root }
    ).fromDescriptor(set);
    const order = rebuilt.lookupType('shop.v1.Order');
    const original = shop.protos.root.lookupType('shop.v1.Order');
    const value = { id: 'o1', lines: [{ sku: 'a', quantity: 2 }], note: 'n', cash: 'y', size: 1 };
    // protobufjs rebuilds a map field as the repeated entry messages it is on the wire.
    const rebuiltValue = { ...value, by_sku: [{ key: 'a', value: { sku: 'a' } }] };
    expect([...order.encode(order.fromObject(rebuiltValue)).finish()]).toEqual([
      ...original.encode(original.fromObject({ ...value, by_sku: { a: { sku: 'a' } } })).finish(),
    ]);
    expect(rebuilt.lookupService('shop.v1.Shop').methods.Watch!.requestStream).toBe(true);
  });

  it('A77 file_containing_symbol finds methods, fields, nested types and enum values', () => {
    for (const symbol of [
      'shop.v1.Shop.Place',
      'shop.v1.Order.id',
      'shop.v1.Order.Line',
      'shop.v1.LARGE',
      'shop.v1.Size',
    ]) {
      expect(files(servicer, { file_containing_symbol: symbol })[0]!.name, symbol).toBe('shop/v1/shop.proto');
    }
    expect(files(servicer, { file_containing_symbol: 'google.protobuf.Timestamp' })[0]!.name).toBe(
      'google/protobuf/timestamp.proto',
    );
  });

  it('A77 the reflection service describes itself', () => {
    const [file] = files(servicer, { file_containing_symbol: REFLECTION_SERVICE_NAME });
    expect(file!.name).toBe('grpc/reflection/v1alpha/reflection.proto');
    expect(file!.service![0]!.method[0]).toMatchObject({
      name: 'ServerReflectionInfo',
      inputType: '.grpc.reflection.v1alpha.ServerReflectionRequest',
    });
    expect(files(servicer, { file_by_filename: 'grpc/reflection/v1/reflection.proto' })[0]!.package).toBe(
      'grpc.reflection.v1',
    );
  });

  it('A77 unknown symbols and files answer NOT_FOUND; no request kind answers INVALID_ARGUMENT', () => {
    expect(servicer.respond({ file_containing_symbol: 'shop.v1.Nope' })).toEqual({
      valid_host: '',
      original_request: { file_containing_symbol: 'shop.v1.Nope' },
      error_response: { error_code: StatusCode.NOT_FOUND, error_message: 'not found' },
    });
    expect(servicer.respond({ file_by_filename: 'nope.proto' }).error_response).toEqual({
      error_code: 5,
      error_message: 'not found',
    });
    expect(servicer.respond({ host: 'x' })).toEqual({
      valid_host: 'x',
      original_request: { host: 'x' },
      error_response: { error_code: StatusCode.INVALID_ARGUMENT, error_message: 'invalid argument' },
    });
  });

  it('A77 extensions: file_containing_extension and all_extension_numbers_of_type', () => {
    const ext = loadFromSource(EXTENSIONS, { filename: 'ext/v1/ext.proto', keepCase: true });
    const withExtensions = new ReflectionServicer([], ext);
    const [file] = files(withExtensions, {
      file_containing_extension: { containing_type: 'ext.v1.Base', extension_number: 101 },
    });
    expect(file!.name).toBe('ext/v1/ext.proto');
    expect(file!.syntax).toBeUndefined();
    expect(file!.extension).toEqual([
      expect.objectContaining({ name: 'weight', number: 100, extendee: '.ext.v1.Base' }),
      expect.objectContaining({ name: 'color', number: 101, extendee: '.ext.v1.Base' }),
    ]);
    // The sister fields protobufjs adds to the extended message are not fields of Base.
    expect(file!.messageType![0]!.field!.map((field) => field.name)).toEqual(['name']);
    expect(
      withExtensions.respond({ all_extension_numbers_of_type: 'ext.v1.Base' }).all_extension_numbers_response,
    ).toEqual({ base_type_name: 'ext.v1.Base', extension_number: [100, 101] });
    expect(
      withExtensions.respond({
        file_containing_extension: { containing_type: 'ext.v1.Base', extension_number: 7 },
      }).error_response?.error_code,
    ).toBe(StatusCode.NOT_FOUND);
    expect(
      withExtensions.respond({ all_extension_numbers_of_type: 'ext.v1.Nope' }).error_response?.error_code,
    ).toBe(StatusCode.NOT_FOUND);
  });

  it('A77 files loaded from disk are named relative to the include directory, imports too', () => {
    const protos = loadProtos('kitchen.proto', { includeDirs });
    const kitchen = new ReflectionServicer(['kitchen.v1.Kitchen'], protos, { includeDirs });
    const [file, ...rest] = files(kitchen, { file_by_filename: 'kitchen.proto' });
    expect(file!.dependency).toContain('sub/common.proto');
    expect(rest.map((dependency) => dependency.name)).toContain('sub/common.proto');
    // Without includeDirs: relative to the deepest directory holding every file (the same here).
    expect(new ReflectionServicer([], protos).fileNames()).toContain('sub/common.proto');
  });

  it('A77 Roots from a descriptor set keep their file names; JSON Roots get package-based names', () => {
    const set = descriptor.FileDescriptorSet.encode(
      descriptor.FileDescriptorSet.fromObject({
        file: files(servicer, { file_containing_symbol: 'shop.v1.Shop' }),
      }),
    ).finish();
    const fromSet = new ReflectionServicer(['shop.v1.Shop'], loadFromDescriptorSet(set));
    expect(files(fromSet, { file_containing_symbol: 'shop.v1.Order' }).map((file) => file.name)).toEqual([
      'shop/v1/shop.proto',
      'google/protobuf/timestamp.proto',
    ]);
    const fromJSON = new ReflectionServicer([], loadFromJSON(shop.protos.root.toJSON()));
    expect(files(fromJSON, { file_containing_symbol: 'shop.v1.Order' }).map((file) => file.name)).toEqual([
      'shop_v1.proto',
      'google/protobuf/timestamp.proto',
    ]);
  });

  it('A77 the bundled descriptor.proto is served as the proto2 file it is', () => {
    const custom = loadFromSource(
      'syntax = "proto3"; package opts; import "google/protobuf/descriptor.proto";\n' +
        'extend google.protobuf.MessageOptions { string label = 50000; }\n' +
        'message Tagged { option (label) = "x"; string name = 1; }',
      { filename: 'opts.proto' },
    );
    const servicer = new ReflectionServicer([], custom);
    const [file, ...dependencies] = files(servicer, { file_containing_symbol: 'opts.Tagged' });
    expect(file!.dependency).toEqual(['google/protobuf/descriptor.proto']);
    expect(dependencies.map((dependency) => [dependency.name, dependency.syntax])).toEqual([
      ['google/protobuf/descriptor.proto', undefined],
    ]);
    expect(
      servicer.respond({ all_extension_numbers_of_type: 'google.protobuf.MessageOptions' })
        .all_extension_numbers_response,
    ).toEqual({ base_type_name: 'google.protobuf.MessageOptions', extension_number: [50000] });
  });

  it('A77 serverReflectionInfo answers each request of the stream in order', async () => {
    async function* requests(): AsyncGenerator<ServerReflectionRequest> {
      yield { list_services: '*' };
      yield { file_by_filename: 'nope.proto' };
      yield { file_containing_symbol: 'shop.v1.Shop' };
    }
    const responses = [];
    for await (const response of servicer.serverReflectionInfo(requests())) responses.push(response);
    expect(responses.map((response) => Object.keys(response)[2])).toEqual([
      'list_services_response',
      'error_response',
      'file_descriptor_response',
    ]);
  });

  it('A77 bad arguments are TypeErrors', () => {
    expect(() => new ReflectionServicer('shop.v1.Shop' as never, shop.protos)).toThrow(
      'serviceNames must be an iterable of service names',
    );
    expect(() => new ReflectionServicer([], {} as never)).toThrow(NOT_A_REFLECTION_SOURCE);
  });

  it('an option it does not take, or an includeDirs that is not an array, is a TypeError naming it', () => {
    expect(() => new ReflectionServicer([], shop.protos, { includeDir: 'protos' } as never)).toThrow(
      new TypeError(
        "new ReflectionServicer() does not take the option 'includeDir' (give includeDirs, an array); it takes 'includeDirs'.",
      ),
    );
    expect(() => new ReflectionServicer([], shop.protos, { includeDirs: 'protos' } as never)).toThrow(
      new TypeError('new ReflectionServicer() option includeDirs must be an array of directory names.'),
    );
    const { server } = fakeServer();
    expect(() => enableServerReflection([], server, shop.protos, { sourceRoot: '.' } as never)).toThrow(
      "enableServerReflection() does not take the option 'sourceRoot'; it takes 'includeDirs'.",
    );
  });
});

describe('A77 enableServerReflection', () => {
  it('A77 registers ServerReflectionInfo under the v1alpha and v1 names', () => {
    const { server, registered } = fakeServer();
    const shop = loadFromSource(SOURCE, { filename: 'shop.proto' });
    const servicer = enableServerReflection(['shop.v1.Shop'], server, [shop]);
    expect([...registered.keys()]).toEqual([REFLECTION_SERVICE_NAME, REFLECTION_V1_SERVICE_NAME]);
    const handler = registered.get(REFLECTION_SERVICE_NAME)!.ServerReflectionInfo!;
    expect(handler.requestStreaming && handler.responseStreaming).toBe(true);
    expect(servicer.serviceNames()).toContain('shop.v1.Shop');
  });
});
