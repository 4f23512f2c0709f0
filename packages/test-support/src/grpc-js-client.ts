// A raw @grpc/grpc-js client for the server's tests: the four call kinds, bytes in, bytes out.
// Every client is tracked until closeClients() (which the tests call after each test).
import type { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { bytes, identity } from './bytes.js';

const clients: grpc.Client[] = [];

/** Closes every client newClient() made. */
export function closeClients(): void {
  for (const client of clients.splice(0)) client.close();
}

/** A grpc-js client of `127.0.0.1:<port>` (or `target`), closed by closeClients(). */
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

export interface GrpcJsCallOptions {
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

function callOptions(options: GrpcJsCallOptions): grpc.CallOptions {
  return options.timeout === undefined ? {} : { deadline: Date.now() + options.timeout * 1000 };
}

/** A unary-unary call; resolves with the final status (never rejects). */
export function unary(
  client: grpc.Client,
  path: string,
  request: string,
  options: GrpcJsCallOptions = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const responses: string[] = [];
    const call = client.makeUnaryRequest(
      path,
      identity,
      identity,
      bytes(request),
      options.metadata ?? new grpc.Metadata(),
      callOptions(options),
      keepResponse(responses),
    );
    settle(call, responses, resolve);
    options.onCall?.(call as unknown as grpc.ClientDuplexStream<Buffer, Buffer>);
  });
}

/** Keeps the response of a unary-response call (its error is in the status). */
function keepResponse(responses: string[]): (error: unknown, response?: Buffer) => void {
  return (_error, response) => {
    if (response !== undefined) responses.push(response.toString());
  };
}

/** Resolves with the outcome once the status arrived (and the events queued before it ran). */
function settle(call: EventEmitter, responses: string[], resolve: (outcome: Outcome) => void): void {
  let initialMetadata: grpc.Metadata | undefined;
  call.on('metadata', (metadata: grpc.Metadata) => {
    initialMetadata = metadata;
  });
  call.on('status', (status: grpc.StatusObject) =>
    setImmediate(() => resolve({ responses, status, initialMetadata })),
  );
}

/** Collects the responses of a streaming-response call; resolves with the outcome. */
function listen(call: EventEmitter, resolve: (outcome: Outcome) => void): string[] {
  const responses: string[] = [];
  call.on('data', (data: Buffer) => responses.push(data.toString()));
  call.on('error', () => {});
  settle(call, responses, resolve);
  return responses;
}

/** A unary-stream call. */
export function serverStream(
  client: grpc.Client,
  path: string,
  request: string,
  options: GrpcJsCallOptions = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(
      path,
      identity,
      identity,
      bytes(request),
      options.metadata ?? new grpc.Metadata(),
      callOptions(options),
    );
    listen(call, resolve);
    options.onCall?.(call as unknown as grpc.ClientDuplexStream<Buffer, Buffer>);
  });
}

/** A stream-unary call writing `requests` then half-closing (unless `end` is false). */
export function clientStream(
  client: grpc.Client,
  path: string,
  requests: string[],
  options: GrpcJsCallOptions & { end?: boolean } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const responses: string[] = [];
    const call = client.makeClientStreamRequest(
      path,
      identity,
      identity,
      options.metadata ?? new grpc.Metadata(),
      callOptions(options),
      keepResponse(responses),
    );
    settle(call, responses, resolve);
    for (const request of requests) call.write(bytes(request));
    if (options.end !== false) call.end();
    options.onCall?.(call as unknown as grpc.ClientDuplexStream<Buffer, Buffer>);
  });
}

/** A bidi call; returns the call (write/end yourself) and its outcome. */
export function bidi(
  client: grpc.Client,
  path: string,
  options: GrpcJsCallOptions = {},
): {
  call: grpc.ClientDuplexStream<Buffer, Buffer>;
  outcome: Promise<Outcome>;
  responses: string[];
  next: () => Promise<string>;
} {
  const call = client.makeBidiStreamRequest(
    path,
    identity,
    identity,
    options.metadata ?? new grpc.Metadata(),
    callOptions(options),
  );
  let responses: string[] = [];
  const outcome = new Promise<Outcome>((resolve) => {
    responses = listen(call, resolve);
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
