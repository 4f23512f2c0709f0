// Hello world with the typed stubs grpc-aio-gen generated from protos/helloworld.proto:
// a wrong field or method name is a compile error.
import { insecureChannel, server } from 'grpc-aio';
import { addGreeterServicerToServer, type GreeterServicer, GreeterStub } from './generated/helloworld.js';
import { runIfMain } from './run-main.js';

const greeter: GreeterServicer = {
  async sayHello(request, context) {
    const language = context.invocationMetadata().get('accept-language') ?? 'en';
    return { message: language === 'fr' ? `Bonjour, ${request.name}!` : `Hello, ${request.name}!` };
  },
};

export async function main(): Promise<string[]> {
  const srv = server();
  addGreeterServicerToServer(greeter, srv);
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  const channel = insecureChannel(`127.0.0.1:${port}`);
  try {
    const client = GreeterStub(channel);
    const english = await client.sayHello({ name: 'world' }, { timeout: 5 });
    const french = await client.sayHello(
      { name: 'monde' },
      { timeout: 5, metadata: [['accept-language', 'fr']] },
    );
    return [english.message ?? '', french.message ?? ''];
  } finally {
    await channel.close();
    await srv.stop(null);
  }
}

runIfMain(import.meta.url, main);
