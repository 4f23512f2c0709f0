// Server reflection (A77) end to end: a real grpc-aio server with a loaded service and
// enableServerReflection, driven over loopback the way grpcurl and grpc_cli drive it: with the
// grpc-aio channel's streamStream and with a plain @grpc/grpc-js client built by proto-loader.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { insecureChannel } from '@grpc-aio/channel';
import { type Channel, EOF, type Server, StatusCode } from '@grpc-aio/core';
import {
  addServicer,
  enableServerReflection,
  loadFromDescriptorSet,
  loadFromSource,
  loadProtos,
  REFLECTION_SERVICE_NAME,
  REFLECTION_V1_SERVICE_NAME,
  stub,
} from '@grpc-aio/protos';
import { server } from '@grpc-aio/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixtures = fileURLToPath(new URL('./protos', import.meta.url));

const SHOP = `syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";

message Order {
  string id = 1;
  google.protobuf.Timestamp placed_at = 2;
  map<string, int32> quantities = 3;
}

service Shop {
  rpc Place(Order) returns (Order);
}
`;

// The reflection messages, from the client's own copy of reflection.proto (field names as sent).
const reflection = loadProtos('grpc/reflection/v1alpha/reflection.proto', {
  includeDirs: [fixtures],
  keepCase: true,
});
const Request = reflection.message('grpc.reflection.v1alpha.ServerReflectionRequest');
const Response = reflection.message<ReflectionResponse>('grpc.reflection.v1alpha.ServerReflectionResponse');

// google.protobuf.FileDescriptorProto / FileDescriptorSet, to read what the server sends.
const descriptors = loadFromSource('syntax = "proto3"; import "google/protobuf/descriptor.proto";').protos;
const FileDescriptorProto = descriptors.message<FileProto>('google.protobuf.FileDescriptorProto');
const FileDescriptorSet = descriptors.message('google.protobuf.FileDescriptorSet');

interface FileProto {
  name: string;
  package?: string;
  dependency?: string[];
  messageType?: { name: string; field?: { name: string; typeName?: string }[] }[];
  service?: { name: string; method: { name: string; inputType: string; outputType: string }[] }[];
}

interface ReflectionResponse {
  valid_host?: string;
  original_request?: Record<string, unknown>;
  file_descriptor_response?: { file_descriptor_proto: Uint8Array[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

const path = (service: string) => `/${service}/ServerReflectionInfo`;

function fileNames(response: ReflectionResponse): string[] {
  return response.file_descriptor_response!.file_descriptor_proto.map(
    (bytes) => FileDescriptorProto.deserialize(bytes).name,
  );
}

let srv: Server;
let port: number;
let channel: Channel;

beforeAll(async () => {
  const shop = loadFromSource(SHOP, { filename: 'shop/v1/shop.proto', keepCase: true });
  srv = server();
  addServicer(srv, shop.services['shop.v1.Shop']!, {
    place: (order: object) => ({ ...order, id: 'placed' }),
  });
  enableServerReflection(['shop.v1.Shop'], srv, shop.protos);
  port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  channel = insecureChannel(`127.0.0.1:${port}`);
});

afterAll(async () => {
  await channel?.close();
  await srv?.stop(null);
});

describe('A77 reflection over a grpc-aio channel', () => {
  it('A77 answers several requests on one stream, each echoing the request and the host', async () => {
    const call = channel.streamStream(
      path(REFLECTION_SERVICE_NAME),
      Request.serialize,
      Response.deserialize,
    )(null, {
      timeout: 10,
    });
    const ask = async (request: Record<string, unknown>): Promise<ReflectionResponse> => {
      await call.write(request);
      const response = await call.read();
      if (response === EOF) throw new Error('stream ended early');
      return response;
    };

    const listed = await ask({ host: 'localhost', list_services: '' });
    expect(listed).toEqual({
      valid_host: 'localhost',
      original_request: { host: 'localhost', list_services: '' },
      list_services_response: {
        service: [
          { name: 'grpc.reflection.v1.ServerReflection' },
          { name: REFLECTION_SERVICE_NAME },
          { name: 'shop.v1.Shop' },
        ],
      },
    });

    const bySymbol = await ask({ file_containing_symbol: 'shop.v1.Shop' });
    expect(bySymbol.original_request).toEqual({ file_containing_symbol: 'shop.v1.Shop' });
    expect(fileNames(bySymbol)).toEqual(['shop/v1/shop.proto', 'google/protobuf/timestamp.proto']);
    const shopFile = FileDescriptorProto.deserialize(
      bySymbol.file_descriptor_response!.file_descriptor_proto[0]!,
    );
    expect(shopFile.package).toBe('shop.v1');
    expect(shopFile.dependency).toEqual(['google/protobuf/timestamp.proto']);
    expect(shopFile.service![0]!.method[0]).toMatchObject({
      name: 'Place',
      inputType: '.shop.v1.Order',
      outputType: '.shop.v1.Order',
    });
    expect(shopFile.messageType![0]!.field!.map((field) => [field.name, field.typeName])).toEqual([
      ['id', undefined],
      ['placed_at', '.google.protobuf.Timestamp'],
      ['quantities', '.shop.v1.Order.QuantitiesEntry'],
    ]);

    expect(fileNames(await ask({ file_containing_symbol: 'shop.v1.Order.placed_at' }))[0]).toBe(
      'shop/v1/shop.proto',
    );
    expect(fileNames(await ask({ file_containing_symbol: 'shop.v1.Shop.Place' }))[0]).toBe(
      'shop/v1/shop.proto',
    );
    expect(fileNames(await ask({ file_by_filename: 'google/protobuf/timestamp.proto' }))).toEqual([
      'google/protobuf/timestamp.proto',
    ]);

    expect(await ask({ file_containing_symbol: 'shop.v1.Missing' })).toEqual({
      valid_host: '',
      original_request: { file_containing_symbol: 'shop.v1.Missing' },
      error_response: { error_code: StatusCode.NOT_FOUND, error_message: 'not found' },
    });
    expect((await ask({ file_by_filename: 'missing.proto' })).error_response).toEqual({
      error_code: StatusCode.NOT_FOUND,
      error_message: 'not found',
    });
    expect(await ask({ host: 'h' })).toEqual({
      valid_host: 'h',
      original_request: { host: 'h' },
      error_response: { error_code: StatusCode.INVALID_ARGUMENT, error_message: 'invalid argument' },
    });
    expect(
      (await ask({ file_containing_extension: { containing_type: 'shop.v1.Order', extension_number: 100 } }))
        .error_response?.error_code,
    ).toBe(StatusCode.NOT_FOUND);

    await call.doneWriting();
    expect(await call.read()).toBe(EOF);
    expect(await call.code()).toBe(StatusCode.OK);
  });

  it('A77 serves grpc.reflection.v1.ServerReflection too', async () => {
    const call = channel.streamStream(
      path(REFLECTION_V1_SERVICE_NAME),
      Request.serialize,
      Response.deserialize,
    )([{ file_containing_symbol: 'grpc.reflection.v1.ServerReflection' }, { list_services: '*' }], {
      timeout: 10,
    });
    const responses: ReflectionResponse[] = [];
    for await (const response of call) responses.push(response);
    expect(fileNames(responses[0]!)).toEqual(['grpc/reflection/v1/reflection.proto']);
    expect(responses[1]!.list_services_response!.service).toHaveLength(3);
  });

  it('A77 a client can rebuild the service from the descriptors alone and call it (as grpcurl does)', async () => {
    const call = channel.streamStream(
      path(REFLECTION_SERVICE_NAME),
      Request.serialize,
      Response.deserialize,
    )([{ file_containing_symbol: 'shop.v1.Shop' }], { timeout: 10 });
    const responses: ReflectionResponse[] = [];
    for await (const response of call) responses.push(response);
    const file = responses[0]!.file_descriptor_response!.file_descriptor_proto.map((bytes) =>
      FileDescriptorProto.decode(bytes),
    );
    const rebuilt = loadFromDescriptorSet(FileDescriptorSet.encode({ file }), { keepCase: true });
    const shop = stub(channel, rebuilt.services['shop.v1.Shop']!);
    const reply = await shop.place(
      { id: 'o1', placed_at: { seconds: 5, nanos: 0 }, quantities: [{ key: 'apple', value: 2 }] },
      { timeout: 10 },
    );
    expect(reply).toEqual({
      id: 'placed',
      placed_at: { seconds: expect.anything(), nanos: 0 },
      quantities: [{ key: 'apple', value: 2 }],
    });
  });
});

describe('A77 reflection from a plain @grpc/grpc-js client', () => {
  it('A77 a proto-loader client lists services and fetches files with their imports', async () => {
    const definition = grpc.loadPackageDefinition(
      loadSync('grpc/reflection/v1alpha/reflection.proto', { includeDirs: [fixtures], keepCase: true }),
      // biome-ignore lint/suspicious/noExplicitAny: grpc-js's loadPackageDefinition gives untyped service constructors
    ) as any;
    const client = new definition.grpc.reflection.v1alpha.ServerReflection(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    ) as grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, ReflectionResponse> };
    try {
      const stream = client.ServerReflectionInfo();
      const responses: ReflectionResponse[] = [];
      const ended = new Promise<void>((resolve, reject) => {
        stream.on('data', (response: ReflectionResponse) => responses.push(response));
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      stream.write({ list_services: '' });
      stream.write({ file_containing_symbol: 'shop.v1.Order' });
      stream.write({ file_containing_symbol: 'no.such.Symbol' });
      stream.write({});
      stream.end();
      await ended;
      expect(
        responses.map((response) => response.list_services_response?.service.map(({ name }) => name))[0],
      ).toEqual([
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
        'shop.v1.Shop',
      ]);
      expect(fileNames(responses[1]!)).toEqual(['shop/v1/shop.proto', 'google/protobuf/timestamp.proto']);
      expect(responses[2]!.error_response).toEqual({
        error_code: StatusCode.NOT_FOUND,
        error_message: 'not found',
      });
      expect(responses[3]!.error_response).toEqual({
        error_code: StatusCode.INVALID_ARGUMENT,
        error_message: 'invalid argument',
      });
      expect(responses).toHaveLength(4);
    } finally {
      client.close();
    }
  });
});
