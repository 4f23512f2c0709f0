// Calling and serving with the messages and service descriptor protoc-gen-es (protobuf-es v2)
// generated from protos/helloworld.proto (src/generated/protobuf-es/helloworld_pb.ts):
// fromProtobufEs() turns the GenService into a grpc-aio service descriptor.
import { create } from '@bufbuild/protobuf';
import { fromProtobufEs } from '@grpc-aio/protos/protobuf-es';
import { addServicer, insecureChannel, server, stub } from 'grpc-aio';
import { Greeter, HelloReplySchema, HelloRequestSchema } from './generated/protobuf-es/helloworld_pb.js';
import { runIfMain } from './run-main.js';

const greeter = fromProtobufEs(Greeter);

export async function main(): Promise<string[]> {
  const srv = server();
  addServicer(srv, greeter, {
    // request is a protobuf-es HelloRequest; the reply is built with create().
    async sayHello(request) {
      return create(HelloReplySchema, { message: `Hello, ${request.name}!` });
    },
  });
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  const channel = insecureChannel(`127.0.0.1:${port}`);
  try {
    const client = stub(channel, greeter);
    const reply = await client.sayHello(create(HelloRequestSchema, { name: 'protobuf-es' }), { timeout: 5 });
    return [`${reply.$typeName}: ${reply.message}`];
  } finally {
    await channel.close();
    await srv.stop(null);
  }
}

runIfMain(import.meta.url, main);
