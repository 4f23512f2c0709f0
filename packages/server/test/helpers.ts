// Test helpers: raw @grpc/grpc-js clients (bytes in, bytes out) against servers on 127.0.0.1:0, and
// cleanup of everything a test opened.

import * as grpc from '@grpc/grpc-js';
import type { Server } from '@grpc-aio/core';
import { afterEach } from 'vitest';
import { type AioServerOptions, server } from '../src/index.js';

const servers: Server[] = [];
const clients: grpc.Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((srv) => srv.stop(null)));
});

export const bytes = (value: Buffer): Buffer => value;
export const text = (value: string): Buffer => Buffer.from(value);
/** A codec pair for handlers: requests and responses as strings. */
export const decode = (value: Uint8Array): string => Buffer.from(value).toString();
export const encode = (value: string): Uint8Array => Buffer.from(value);

/** A server with `configure` applied, bound to 127.0.0.1:0 and started. */
export async function startServer(
  configure: (srv: Server) => void,
  options: AioServerOptions = {},
): Promise<{ srv: Server; port: number; client: grpc.Client }> {
  const srv = server(options);
  servers.push(srv);
  configure(srv);
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  return { srv, port, client: newClient(port) };
}

/** Tracks a server made elsewhere so that it is stopped after the test. */
export function track(srv: Server): Server {
  servers.push(srv);
  return srv;
}

export function newClient(
  port: number,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ClientOptions = {},
  target = `127.0.0.1:${port}`,
): grpc.Client {
  const client = new grpc.Client(target, credentials, options);
  clients.push(client);
  return client;
}

export interface CallOptions {
  metadata?: grpc.Metadata;
  /** Seconds from now. */
  timeout?: number;
  /** Gets the call object, typed as the widest kind (cancel(), pause(), on('data') ...). */
  onCall?: (call: grpc.ClientDuplexStream<Buffer, Buffer>) => void;
}

export interface Outcome {
  responses: string[];
  status: grpc.StatusObject;
  initialMetadata: grpc.Metadata | undefined;
}

function callOptions(options: CallOptions): grpc.CallOptions {
  return options.timeout === undefined ? {} : { deadline: Date.now() + options.timeout * 1000 };
}

/** A unary-unary call; resolves with the final status (never rejects). */
export function unary(
  client: grpc.Client,
  path: string,
  request: string,
  options: CallOptions = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const responses: string[] = [];
    let initialMetadata: grpc.Metadata | undefined;
    const call = client.makeUnaryRequest(
      path,
      bytes,
      bytes,
      text(request),
      options.metadata ?? new grpc.Metadata(),
      callOptions(options),
      (_error, response) => {
        if (response !== undefined) responses.push(response.toString());
      },
    );
    call.on('metadata', (metadata) => {
      initialMetadata = metadata;
    });
    call.on('status', (status) => setImmediate(() => resolve({ responses, status, initialMetadata })));
    options.onCall?.(call as unknown as grpc.ClientDuplexStream<Buffer, Buffer>);
  });
}

function collect(
  call: grpc.ClientReadableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>,
  resolve: (outcome: Outcome) => void,
): string[] {
  const responses: string[] = [];
  let initialMetadata: grpc.Metadata | undefined;
  call.on('data', (data: Buffer) => responses.push(data.toString()));
  call.on('error', () => {});
  call.on('metadata', (metadata) => {
    initialMetadata = metadata;
  });
  call.on('status', (status) => setImmediate(() => resolve({ responses, status, initialMetadata })));
  return responses;
}

/** A unary-stream call. */
export function serverStream(
  client: grpc.Client,
  path: string,
  request: string,
  options: CallOptions = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(
      path,
      bytes,
      bytes,
      text(request),
      options.metadata ?? new grpc.Metadata(),
      callOptions(options),
    );
    collect(call, resolve);
    options.onCall?.(call as unknown as grpc.ClientDuplexStream<Buffer, Buffer>);
  });
}

/** A stream-unary call writing `requests` then half-closing (unless `end` is false). */
export function clientStream(
  client: grpc.Client,
  path: string,
  requests: string[],
  options: CallOptions & { end?: boolean } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const responses: string[] = [];
    let initialMetadata: grpc.Metadata | undefined;
    const call = client.makeClientStreamRequest(
      path,
      bytes,
      bytes,
      options.metadata ?? new grpc.Metadata(),
      callOptions(options),
      (_error, response) => {
        if (response !== undefined) responses.push(response.toString());
      },
    );
    call.on('metadata', (metadata) => {
      initialMetadata = metadata;
    });
    call.on('status', (status) => setImmediate(() => resolve({ responses, status, initialMetadata })));
    for (const request of requests) call.write(text(request));
    if (options.end !== false) call.end();
    options.onCall?.(call as unknown as grpc.ClientDuplexStream<Buffer, Buffer>);
  });
}

/** A bidi call; returns the call (write/end yourself) and its outcome. */
export function bidi(
  client: grpc.Client,
  path: string,
  options: CallOptions = {},
): {
  call: grpc.ClientDuplexStream<Buffer, Buffer>;
  outcome: Promise<Outcome>;
  responses: string[];
  next: () => Promise<string>;
} {
  const call = client.makeBidiStreamRequest(
    path,
    bytes,
    bytes,
    options.metadata ?? new grpc.Metadata(),
    callOptions(options),
  );
  let responses: string[] = [];
  const outcome = new Promise<Outcome>((resolve) => {
    responses = collect(call, resolve);
  });
  let seen = 0;
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (responses.length > seen) {
          call.off('data', check);
          resolve(responses[seen++] as string);
        }
      };
      call.on('data', check);
      call.once('status', () => reject(new Error('call ended')));
      setImmediate(check);
    });
  return { call, outcome, responses, next };
}

/** A promise with its resolve function, for waiting on events. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
