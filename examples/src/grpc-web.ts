// gRPC-Web: a browser page calls the grpc-aio server directly, no proxy. The server answers gRPC
// and gRPC-Web on the same port; `grpcWeb.allowedOrigins` names the origin the page is served from.
//
//   pnpm --filter @grpc-aio/examples exec tsx src/grpc-web.ts --serve   (then open the printed link)
//
// Without --serve, main() makes the calls a browser would (a CORS preflight, then the gRPC-Web POST
// with an Origin header) with Node's fetch, and stops: that is what the example's test runs.
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { server } from 'grpc-aio';
import {
  addGreeterServicerToServer,
  type GreeterServicer,
  HelloReply,
  HelloRequest,
} from './generated/helloworld.js';
import { runIfMain } from './run-main.js';

const greeter: GreeterServicer = {
  async sayHello(request) {
    return { message: `Hello, ${request.name}!` };
  },
};

const PAGE = readFileSync(new URL('./grpc-web/index.html', import.meta.url), 'utf8');

/** The page server and the gRPC server, on 127.0.0.1 (ports 0: any free ones). */
export async function start(pagePort = 0, grpcPort = 0) {
  // The static page, on its own origin.
  const pages: HttpServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => pages.listen(pagePort, '127.0.0.1', resolve));
  const pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;

  // The gRPC server: gRPC-Web on, for the page's origin only.
  const srv = server({ grpcWeb: { allowedOrigins: [pageOrigin] } });
  addGreeterServicerToServer(greeter, srv);
  const port = await srv.addInsecurePort(`127.0.0.1:${grpcPort}`);
  await srv.start();
  const grpcUrl = `http://127.0.0.1:${port}`;
  return {
    pageOrigin,
    grpcUrl,
    pageUrl: `${pageOrigin}/?server=${encodeURIComponent(grpcUrl)}`,
    async close() {
      await srv.stop(null);
      await new Promise((resolve) => pages.close(resolve));
    },
  };
}

/** One gRPC-Web frame: flag 0, a 4-byte big-endian length, the message. */
function frame(message: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

export async function main(): Promise<string[]> {
  const { pageOrigin, grpcUrl, close } = await start();
  try {
    const url = `${grpcUrl}/helloworld.Greeter/SayHello`;
    // What the browser asks first: may a page of pageOrigin POST with these headers?
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: pageOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,grpc-timeout,x-grpc-web',
      },
    });
    const allowed = preflight.headers.get('access-control-allow-origin') === pageOrigin;
    // Then the call itself.
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        origin: pageOrigin,
        'content-type': 'application/grpc-web+proto',
        'x-grpc-web': '1',
        'grpc-timeout': '5S',
      },
      body: frame(HelloRequest.encode({ name: 'web' })),
    });
    const body = Buffer.from(await response.arrayBuffer());
    const length = body.readUInt32BE(1);
    const reply = HelloReply.decode(body.subarray(5, 5 + length)) as { message?: string };
    const trailers = body
      .subarray(10 + length)
      .toString('latin1')
      .trim();
    // A page of another origin is refused.
    const other = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    return [
      `preflight: ${preflight.status}, origin allowed: ${allowed}`,
      `SayHello over gRPC-Web: ${reply.message}`,
      `trailer frame: ${trailers}`,
      `preflight from another origin: ${other.status}`,
    ];
  } finally {
    await close();
  }
}

if (process.argv.includes('--serve')) {
  const { pageUrl } = await start(8080, 50051);
  process.stdout.write(`Open ${pageUrl} in a browser (Ctrl-C to stop).\n`);
} else {
  runIfMain(import.meta.url, main);
}
