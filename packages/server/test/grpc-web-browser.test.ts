// A real browser: headless Chromium loads a page from one origin that calls a grpc-aio server on
// another with fetch (unary, server streaming read as it arrives, an error with trailers, an abort),
// which proves CORS (preflights, exposed headers) and streaming end to end. The page posts what it
// saw back to the server it came from; Chromium is then stopped. Skipped when Chromium is not
// installed.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusCode } from '@grpc-aio/core';
import { afterAll, describe, expect, it } from 'vitest';
import { CANCELLED_BY_CLIENT } from '../src/index.js';
import { FAIL_DETAILS, newSeen, utf8, webService } from './grpc-web-service.js';
import { startServer } from './helpers.js';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
const chromium = CANDIDATES.find((path) => path !== undefined && path !== '' && existsSync(path));
if (chromium === undefined) {
  console.warn(
    'grpc-web-browser.test.ts: SKIPPED, no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).',
  );
}

// The page: its script calls the server at `base` (another origin) and writes a JSON report.
function page(base: string, deniedBase: string): string {
  return `<!doctype html><html><body><pre id="result">pending</pre><script>
const base = ${JSON.stringify(base)};
const deniedBase = ${JSON.stringify(deniedBase)};
function frame(text) {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(5 + bytes.length);
  new DataView(out.buffer).setUint32(1, bytes.length);
  out.set(bytes, 5);
  return out;
}
// Reads a gRPC-Web response body as it arrives; onMessage may stop early (returns true).
async function read(response, onMessage) {
  const reader = response.body.getReader();
  let buffer = new Uint8Array(0);
  const messages = [];
  let trailers = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const joined = new Uint8Array(buffer.length + value.length);
    joined.set(buffer); joined.set(value, buffer.length); buffer = joined;
    while (buffer.length >= 5) {
      const length = new DataView(buffer.buffer, buffer.byteOffset).getUint32(1);
      if (buffer.length < 5 + length) break;
      const flag = buffer[0];
      const payload = new TextDecoder().decode(buffer.subarray(5, 5 + length));
      buffer = buffer.slice(5 + length);
      if (flag & 0x80) trailers = payload;
      else {
        messages.push(payload);
        if (onMessage && onMessage(payload)) return { messages, trailers, stopped: true };
      }
    }
  }
  return { messages, trailers, stopped: false };
}
async function call(path, text, options = {}) {
  const response = await fetch((options.base || base) + path, {
    method: 'POST',
    headers: { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1', 'x-custom': 'from-browser' },
    body: frame(text),
    signal: options.signal,
  });
  const body = await read(response, options.onMessage).catch((error) => ({ error: String(error) }));
  return {
    status: response.status,
    grpcStatus: response.headers.get('grpc-status'),
    grpcMessage: response.headers.get('grpc-message'),
    initial: response.headers.get('x-initial'),
    reason: response.headers.get('x-reason'),
    ...body,
  };
}
(async () => {
  const report = { origin: location.origin };
  try {
    report.unary = await call('/test.Web/Unary', 'browser');
    report.stream = await call('/test.Web/Stream', 's');
    report.trailersOnly = await call('/test.Web/Unary', 'fail');
    report.failAfter = await call('/test.Web/Stream', 'fail-after');
    const controller = new AbortController();
    report.abort = await call('/test.Web/Stream', 'wait', {
      signal: controller.signal,
      onMessage: () => { controller.abort(); return true; },
    });
    report.denied = await call('/test.Web/Unary', 'x', { base: deniedBase }).catch((error) => ({ error: String(error) }));
  } catch (error) {
    report.error = String(error && error.stack || error);
  }
  document.getElementById('result').textContent = JSON.stringify(report);
  await fetch('/report', { method: 'POST', body: JSON.stringify(report) });
})();
</script></body></html>`;
}

let pageServer: HttpServer | undefined;
afterAll(() => {
  pageServer?.close();
});

/** Runs Chromium on `url` until `report` settles (or 30 s pass), then stops it; resolves to the report. */
async function runChromium(url: string, profile: string, report: Promise<string>): Promise<string> {
  const child: ChildProcess = spawn(
    chromium as string,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      `--user-data-dir=${profile}`,
      url,
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      report,
      exited.then(() => Promise.reject(new Error(`chromium exited before the page reported:\n${stderr}`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no report from the page within 30 s:\n${stderr}`)),
          30_000,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    // Chromium and the processes it started (its own process group).
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    await exited;
  }
}

describe.skipIf(chromium === undefined)(
  'gRPC-Web from a real browser (headless Chromium, cross-origin fetch)',
  () => {
    it('unary, server streaming read as it arrives, errors with trailers, an abort, a refused origin', {
      timeout: 40_000,
    }, async () => {
      pageServer = createServer();
      await new Promise<void>((resolve) => (pageServer as HttpServer).listen(0, '127.0.0.1', resolve));
      const pagePort = ((pageServer as HttpServer).address() as AddressInfo).port;
      // 127.0.0.1 and localhost are different origins: the page is on one, the servers on the other.
      const pageOrigin = `http://127.0.0.1:${pagePort}`;
      const seen = newSeen();
      const { port } = await startServer((srv) => srv.addGenericRpcHandlers([webService(utf8, seen)]), {
        grpcWeb: { allowedOrigins: [pageOrigin], allowedHeaders: ['x-custom'] },
      });
      const { port: deniedPort } = await startServer((srv) => srv.addGenericRpcHandlers([webService(utf8)]), {
        grpcWeb: { allowedOrigins: ['https://somewhere.else.example'] },
      });
      const html = page(`http://localhost:${port}`, `http://localhost:${deniedPort}`);
      let reported!: (text: string) => void;
      const reportText = new Promise<string>((resolve) => {
        reported = resolve;
      });
      (pageServer as HttpServer).on('request', (request, response) => {
        if (request.method === 'POST' && request.url === '/report') {
          let body = '';
          request.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          request.on('end', () => {
            response.end();
            reported(body);
          });
          return;
        }
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(html);
      });
      const profile = mkdtempSync(join(tmpdir(), 'grpc-aio-chromium-'));
      let text: string;
      try {
        text = await runChromium(`${pageOrigin}/`, profile, reportText);
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
      const report = JSON.parse(text);
      expect(report.error).toBeUndefined();
      expect(report.origin).toBe(pageOrigin);
      expect(report.unary).toMatchObject({
        status: 200,
        messages: ['hello browser'],
        trailers: 'grpc-status: 0\r\n',
      });
      expect(report.stream).toMatchObject({ initial: 'yes', messages: ['s-0', 's-1', 's-2'] });
      expect(report.stream.trailers).toContain('x-trailer: done\r\n');
      expect(report.trailersOnly).toMatchObject({
        grpcStatus: String(StatusCode.NOT_FOUND),
        grpcMessage: encodeURIComponent(FAIL_DETAILS).replaceAll('%20', ' ').replaceAll('%3A', ':'),
        reason: 'missing',
        messages: [],
      });
      expect(report.failAfter.messages).toEqual(['fail-after-0', 'fail-after-1', 'fail-after-2']);
      expect(report.failAfter.trailers).toContain(`grpc-status: ${StatusCode.RESOURCE_EXHAUSTED}\r\n`);
      expect(report.failAfter.trailers).toContain('x-after: three\r\n');
      expect(report.abort).toMatchObject({ messages: ['first'], stopped: true });
      expect(((await seen.aborted) as Error).message).toBe(CANCELLED_BY_CLIENT);
      // Cross-origin, with a custom header: the browser sent it only after a preflight the server allowed.
      expect(seen.metadata).toContainEqual(['origin', pageOrigin]);
      expect(seen.metadata).toContainEqual(['x-custom', 'from-browser']);
      if (process.env.GRPC_AIO_SHOW_BROWSER_REPORT) console.log(text);
      expect(report.denied.error).toMatch(/TypeError/);
    });
  },
);
