// The grpc-aio demo: a route-guide server on 127.0.0.1 (all four call kinds, health checks, a
// server interceptor) and a client that exercises it (metadata, a deadline, an interceptor, a
// cancelled call, a server error), printing what happens; then a graceful stop. Exits 0 when every
// step behaved as expected, 1 otherwise.
import { fileURLToPath } from 'node:url';
import {
  AioRpcError,
  addServicer,
  CancelledError,
  type ClientInterceptor,
  clientLoggingInterceptor,
  EOF,
  insecureChannel,
  loadServices,
  metadataInterceptor,
  RpcContextVar,
  type ServerInterceptor,
  type ServicerContext,
  StatusCode,
  server,
  statusCodeName,
  stub,
} from 'grpc-aio';
import {
  addHealthServicer,
  checkHealth,
  ServingStatus,
  servingStatusName,
  stopGracefully,
  watchHealth,
} from 'grpc-aio/health';

interface Point {
  latitude: number;
  longitude: number;
}
interface Feature {
  name: string;
  location: Point;
}
interface RouteNote {
  location: Point;
  message: string;
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (title: string) => say(`\n== ${title}`);
let failures = 0;
const expect = (ok: boolean, what: string) => {
  say(`   ${ok ? 'ok' : 'FAILED'}: ${what}`);
  if (!ok) failures++;
};

const FEATURES: Feature[] = [
  { name: 'Patriots Path, Mendham, NJ 07945, USA', location: { latitude: 407838351, longitude: -746143763 } },
  {
    name: '101 New Jersey 10, Whippany, NJ 07981, USA',
    location: { latitude: 408122808, longitude: -743999179 },
  },
  { name: 'U.S. 6, Shohola, PA 18458, USA', location: { latitude: 413628156, longitude: -749015468 } },
  {
    name: '5 Conners Road, Kingston, NY 12401, USA',
    location: { latitude: 419999544, longitude: -740371136 },
  },
];
const key = (point: Point) => `${point.latitude},${point.longitude}`;

// ---- The server -------------------------------------------------------------------------------
const proto = fileURLToPath(new URL('../protos/route_guide.proto', import.meta.url));
const { 'routeguide.RouteGuide': RouteGuide } = loadServices(proto);
if (RouteGuide === undefined) throw new Error('routeguide.RouteGuide not found');

// A per-RPC value set by the interceptor and read by the handlers (Python: a contextvar).
const caller = new RpcContextVar<string>('caller', { defaultValue: 'anonymous' });
const auth: ServerInterceptor = {
  async interceptService(continuation, details) {
    const token = details.invocationMetadata.get('x-demo-user');
    if (typeof token === 'string') caller.set(token);
    return continuation(details);
  },
};

const notes = new Map<string, RouteNote[]>();
const routeGuide = {
  async getFeature(point: Point, context: ServicerContext) {
    const feature = FEATURES.find((candidate) => key(candidate.location) === key(point));
    if (feature === undefined) {
      return context.abort(StatusCode.NOT_FOUND, `no feature at ${key(point)} (asked by ${caller.get()})`, [
        ['x-demo-hint', 'try 407838351,-746143763'],
      ]);
    }
    await context.sendInitialMetadata([['x-demo-served-to', caller.get() ?? '']]);
    return feature;
  },
  async *listFeatures(rectangle: { lo: Point; hi: Point }, context: ServicerContext) {
    const [latLo, latHi] = [rectangle.lo.latitude, rectangle.hi.latitude].sort((a, b) => a - b);
    for (const feature of FEATURES) {
      if (feature.location.latitude < latLo! || feature.location.latitude > latHi!) continue;
      if (context.cancelled()) return;
      yield feature;
      // Slow enough that the client's cancel lands mid-stream.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  },
  async recordRoute(points: AsyncIterable<Point>) {
    const started = Date.now();
    let pointCount = 0;
    let featureCount = 0;
    for await (const point of points) {
      pointCount++;
      if (FEATURES.some((feature) => key(feature.location) === key(point))) featureCount++;
    }
    return {
      pointCount,
      featureCount,
      distance: pointCount * 1000,
      elapsedTime: Math.round((Date.now() - started) / 1000),
    };
  },
  async *routeChat(incoming: AsyncIterable<RouteNote>) {
    for await (const note of incoming) {
      const seen = notes.get(key(note.location)) ?? [];
      for (const earlier of seen) yield earlier;
      seen.push(note);
      notes.set(key(note.location), seen);
    }
  },
};

async function main(): Promise<void> {
  const srv = server({ interceptors: [auth] });
  addServicer(srv, RouteGuide!, routeGuide);
  const health = addHealthServicer(srv);
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  await health.set('routeguide.RouteGuide', ServingStatus.SERVING);
  say(`route guide server listening on 127.0.0.1:${port}`);

  // ---- The client -----------------------------------------------------------------------------
  const log: string[] = [];
  const interceptors: ClientInterceptor[] = [
    clientLoggingInterceptor({
      logger: (entry) => log.push(`${entry.method} -> ${statusCodeName(entry.code)}`),
    }),
    metadataInterceptor([['x-demo-user', 'demo-client']]),
  ];
  const channel = insecureChannel(`127.0.0.1:${port}`, { interceptors });
  const guide = stub(channel, RouteGuide!);

  step('unary: GetFeature, with metadata and a 5 s deadline');
  const call = guide.getFeature(FEATURES[0]!.location, {
    timeout: 5,
    metadata: [['x-request-id', 'demo-1']],
  });
  const feature = (await call) as Feature;
  say(`   feature: ${feature.name}`);
  const served = (await call.initialMetadata()).get('x-demo-served-to');
  say(`   initial metadata x-demo-served-to = ${served}; code ${statusCodeName(await call.code())}`);
  expect(served === 'demo-client', "the server interceptor saw the client interceptor's metadata");

  step('server streaming: ListFeatures');
  const rectangle = {
    lo: { latitude: 400000000, longitude: -750000000 },
    hi: { latitude: 420000000, longitude: -730000000 },
  };
  let listed = 0;
  for await (const found of guide.listFeatures(rectangle) as AsyncIterable<Feature>) {
    listed++;
    say(`   ${found.name}`);
  }
  expect(listed === FEATURES.length, `${listed} features streamed`);

  step('client streaming: RecordRoute, writing points one by one');
  const record = guide.recordRoute();
  for (const { location } of FEATURES.slice(0, 3)) await record.write(location);
  await record.write({ latitude: 1, longitude: 1 });
  await record.doneWriting();
  const summary = await record;
  say(`   ${summary.pointCount} points, ${summary.featureCount} features`);
  expect(summary.pointCount === 4 && summary.featureCount === 3, 'route summary');

  step('bidirectional streaming: RouteChat');
  const chat = guide.routeChat();
  const here = FEATURES[1]!.location;
  const replies: string[] = [];
  const reader = (async () => {
    for (;;) {
      const note = await chat.read();
      if (note === EOF) break;
      replies.push((note as RouteNote).message);
      say(`   got back: ${(note as RouteNote).message}`);
    }
  })();
  for (const message of ['first note', 'second note', 'third note'])
    await chat.write({ location: here, message });
  await chat.doneWriting();
  await reader;
  expect(replies.length === 3, 'earlier notes at the same point came back (1 + 2)');

  step('a cancelled call: ListFeatures cancelled after the first feature');
  const stream = guide.listFeatures(rectangle);
  const first = await stream.read();
  say(`   first: ${(first as Feature).name}; cancelling`);
  say(`   cancel() -> ${stream.cancel()}, again -> ${stream.cancel()}`);
  try {
    await stream.read();
    expect(false, 'reading a cancelled call throws');
  } catch (error) {
    expect(error instanceof CancelledError, `reading throws ${(error as Error).name}`);
  }
  say(`   code ${statusCodeName(await stream.code())}, details "${await stream.details()}"`);

  step('a server error: GetFeature where there is no feature');
  try {
    await guide.getFeature({ latitude: 1, longitude: 2 });
    expect(false, 'the call fails');
  } catch (error) {
    const rpcError = error as AioRpcError;
    say(String(rpcError).replace(/^/gm, '   '));
    say(`   trailing metadata x-demo-hint = ${rpcError.trailingMetadata().get('x-demo-hint')}`);
    expect(error instanceof AioRpcError && rpcError.code() === StatusCode.NOT_FOUND, 'AioRpcError NOT_FOUND');
  }

  step('a deadline: RecordRoute that never finishes writing, 0.2 s timeout');
  const slow = guide.recordRoute(undefined, { timeout: 0.2 });
  await slow.write(FEATURES[0]!.location);
  try {
    await slow;
  } catch (error) {
    expect(
      error instanceof AioRpcError && error.code() === StatusCode.DEADLINE_EXCEEDED,
      `${statusCodeName((error as AioRpcError).code())}`,
    );
  }

  step('health checks');
  const overall = await checkHealth(channel, '', { timeout: 2 });
  const routeGuideHealth = await checkHealth(channel, 'routeguide.RouteGuide', { timeout: 2 });
  say(
    `   overall: ${servingStatusName(overall)}, routeguide.RouteGuide: ${servingStatusName(routeGuideHealth)}`,
  );
  expect(overall === ServingStatus.SERVING && routeGuideHealth === ServingStatus.SERVING, 'both SERVING');
  const watcher = watchHealth(channel, 'routeguide.RouteGuide');
  const watched = [servingStatusName((await watcher.next()).value as ServingStatus)];

  step('the client interceptor logged every call');
  for (const line of log) say(`   ${line}`);
  expect(
    log.length === 9,
    `${log.length} calls logged (7 route guide + 2 health checks; the watch is still open)`,
  );

  step('graceful stop: health goes NOT_SERVING, then the server drains (1 s grace)');
  const stopping = stopGracefully(srv, health, 1);
  watched.push(servingStatusName((await watcher.next()).value as ServingStatus));
  say(`   watcher saw: ${watched.join(' -> ')}`);
  expect(watched.join() === 'SERVING,NOT_SERVING', 'the watcher saw the shutdown');
  await watcher.return(undefined);
  await stopping;
  await channel.close();
  say('   server stopped, channel closed');

  say(
    failures === 0
      ? '\ndemo finished: every step behaved as expected'
      : `\ndemo finished with ${failures} failure(s)`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
