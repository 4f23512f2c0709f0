import { describe, expect, it } from 'vitest';
import { main, start } from '../src/grpc-web.js';

describe('examples: grpc-web', () => {
  it('a CORS preflight from the page origin is allowed, SayHello answers over gRPC-Web, other origins are refused', async () => {
    expect(await main()).toEqual([
      'preflight: 204, origin allowed: true',
      'SayHello over gRPC-Web: Hello, web!',
      'trailer frame: grpc-status: 0',
      'preflight from another origin: 403',
    ]);
  });

  it('the page server serves the static page, which calls the server named in ?server=', async () => {
    const { pageUrl, grpcUrl, close } = await start();
    try {
      expect(new URL(pageUrl).searchParams.get('server')).toBe(grpcUrl);
      const html = await (await fetch(pageUrl)).text();
      expect(html).toContain('/helloworld.Greeter/SayHello');
      expect(html).toContain("'content-type': 'application/grpc-web+proto'");
    } finally {
      await close();
    }
  });
});
