// TLS and mutual TLS: the server verifies the client's certificate and reads its identity.
// The certificates are the test fixtures (made for the tests); use your own.
import { caCert, clientCert, clientKey, serverCert, serverKey } from '@grpc-aio/test-fixtures';
import {
  type AioRpcError,
  secureChannel,
  server,
  sslChannelCredentials,
  sslServerCredentials,
  statusCodeName,
} from 'grpc-aio';
import { addGreeterServicerToServer, GreeterStub } from './generated/helloworld.js';
import { runIfMain } from './run-main.js';

export async function main(): Promise<string[]> {
  const lines: string[] = [];
  const srv = server();
  addGreeterServicerToServer(
    {
      async sayHello(request, context) {
        const who = context.authContext().x509_common_name?.map((name) => Buffer.from(name).toString()) ?? [];
        return { message: `Hello ${request.name}, your certificate says ${who.join(', ') || 'nothing'}` };
      },
    },
    srv,
  );
  // requireClientAuth: true makes it mutual TLS.
  const port = await srv.addSecurePort(
    '127.0.0.1:0',
    sslServerCredentials([{ privateKey: serverKey, certificateChain: serverCert }], caCert, true),
  );
  await srv.start();
  const target = `localhost:${port}`; // the server certificate is for localhost
  const mutual = secureChannel(target, sslChannelCredentials(caCert, clientKey, clientCert));
  const anonymous = secureChannel(target, sslChannelCredentials(caCert));
  try {
    lines.push((await GreeterStub(mutual).sayHello({ name: 'mTLS client' }, { timeout: 5 })).message ?? '');
    try {
      await GreeterStub(anonymous).sayHello({ name: 'no certificate' }, { timeout: 5 });
      lines.push('unexpected: a client without a certificate got through');
    } catch (error) {
      lines.push(`without a client certificate: ${statusCodeName((error as AioRpcError).code())}`);
    }
    return lines;
  } finally {
    await Promise.all([mutual.close(), anonymous.close()]);
    await srv.stop(null);
  }
}

runIfMain(import.meta.url, main);
