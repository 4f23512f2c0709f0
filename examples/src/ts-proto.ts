// Calling and serving with the messages and generic service definition ts-proto generated from
// protos/helloworld.proto with outputServices=generic-definitions
// (src/generated/ts-proto/helloworld.ts): fromTsProto() turns the definition into a grpc-aio
// service descriptor.
import { fromTsProto } from '@grpc-aio/protos';
import { addServicer, insecureChannel, server, stub } from 'grpc-aio';
import { GreeterDefinition, HelloRequest } from './generated/ts-proto/helloworld.js';
import { runIfMain } from './run-main.js';

const greeter = fromTsProto(GreeterDefinition);

export async function main(): Promise<string[]> {
  const srv = server();
  addServicer(srv, greeter, {
    // request is ts-proto's HelloRequest interface; so is the reply's type.
    async sayHello(request) {
      return { message: `Hello, ${request.name}!` };
    },
  });
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  const channel = insecureChannel(`127.0.0.1:${port}`);
  try {
    const client = stub(channel, greeter);
    const reply = await client.sayHello(HelloRequest.create({ name: 'ts-proto' }), { timeout: 5 });
    return [`HelloReply: ${reply.message}`];
  } finally {
    await channel.close();
    await srv.stop(null);
  }
}

runIfMain(import.meta.url, main);
