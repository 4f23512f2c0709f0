// The adapters keep the generated types: stubs take and give the generated messages, servicers
// are checked against them, and the call kinds follow the method kinds.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Channel, Server, StreamStreamCall, UnaryStreamCall, UnaryUnaryCall } from '@grpc-aio/core';
import { describe, expectTypeOf, it } from 'vitest';
import { addServicer, fromTsProto, stub } from '../src/index.js';
import { fromProtobufEs } from '../src/protobuf-es.js';
import {
  Echo,
  type EchoReply as EsReply,
  type EchoRequest as EsRequest,
} from './third-party/protobuf-es/echo_pb.js';
import { EchoDefinition, type EchoReply, type EchoRequest } from './third-party/ts-proto/echo.js';

declare const channel: Channel;
declare const server: Server;

describe('issue 20 item 10: typed adapters', () => {
  it('protobuf-es: the generated message shapes', () => {
    const client = stub(channel, fromProtobufEs(Echo));
    expectTypeOf(client.say).parameter(0).toEqualTypeOf<EsRequest>();
    expectTypeOf(client.say).returns.toEqualTypeOf<UnaryUnaryCall<EsRequest, EsReply>>();
    expectTypeOf(client.repeat).returns.toEqualTypeOf<UnaryStreamCall<EsRequest, EsReply>>();
    expectTypeOf(client.chat).returns.toEqualTypeOf<StreamStreamCall<EsRequest, EsReply>>();
    // @ts-expect-error: no such method
    client.sai;
    // @ts-expect-error: an init object is not a message (use create(EchoRequestSchema, init))
    client.say({ text: 'hi' } satisfies MessageInitShape<typeof Echo.method.say.input>);
    addServicer(server, fromProtobufEs(Echo), {
      say: (request) => {
        expectTypeOf(request.count).toEqualTypeOf<bigint>();
        return { $typeName: 'adapters.v1.EchoReply', text: request.text, count: 1n };
      },
    });
    // @ts-expect-error: no such method
    addServicer(server, fromProtobufEs(Echo), { sai: () => undefined });
  });

  it('ts-proto: the generated interfaces', () => {
    const client = stub(channel, fromTsProto(EchoDefinition));
    expectTypeOf(client.say).parameter(0).toEqualTypeOf<EchoRequest>();
    expectTypeOf(client.say).returns.toEqualTypeOf<UnaryUnaryCall<EchoRequest, EchoReply>>();
    expectTypeOf(client.chat).returns.toEqualTypeOf<StreamStreamCall<EchoRequest, EchoReply>>();
    // @ts-expect-error: a wrong field type
    client.say({ text: 1, count: 0n });
    addServicer(server, fromTsProto(EchoDefinition), {
      say: (request) => ({ text: request.text, count: request.count }),
      // @ts-expect-error: the reply lacks count
      collect: async () => ({ text: 'x' }),
    });
  });
});
