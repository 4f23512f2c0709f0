// The h2load workload's helpers (run.mjs drives it): the request body, h2load itself (run and
// parsed), a raw node:http2 client that checks a server's answers before it is measured, and the
// report section. h2load is nghttp2's HTTP/2 load generator (Debian: nghttp2-client), a C client
// much cheaper per request than any Node client, so the server is what saturates.
import { execFile, execFileSync } from 'node:child_process';
import { connect } from 'node:http2';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decode, encode, MESSAGE, METHODS, PAYLOAD } from './codec.mjs';
import { median } from './stats.mjs';

/** The servers of the h2load workload, in report order (`cluster*` only under the many-connection load). */
export const H2LOAD_SERVERS = {
  grpcjs: { title: 'grpc-js `Server`' },
  aio: { title: 'grpc-aio' },
  'aio+gzip': { title: 'grpc-aio, gzip responses', gzip: true },
  'node-limit': { title: 'Node limit (bare node:http2)' },
  cluster1: { title: 'grpc-aio, node:cluster, 1 worker', workers: 1, manyConnectionsOnly: true },
  cluster2: { title: 'grpc-aio, node:cluster, 2 workers', workers: 2, manyConnectionsOnly: true },
};
/** The loads: h2load's `-c` (connections) and `-m` (concurrent streams per connection). */
export const H2LOAD_LOADS = {
  c1: { connections: 1, streams: 64 },
  c4: { connections: 4, streams: 64 },
};

const frame = (message, compressed = false) => {
  const out = Buffer.alloc(5 + message.length);
  out[0] = compressed ? 1 : 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
};
/** The framed request every h2load request POSTs: 5-byte prefix + `Payload` with 100 bytes. */
export const REQUEST_BODY = frame(encode(MESSAGE));
/** DATA bytes of one response: the framed message, gzipped or not (zlib is deterministic). */
export const responseBytes = (gzip) => 5 + (gzip ? gzipSync(encode(MESSAGE)).length : encode(MESSAGE).length);

/** The h2load version line, or undefined when h2load is not on PATH. */
export function h2loadVersion() {
  try {
    return execFileSync('h2load', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** h2load's arguments for one run (`-n` requests, so that every run is bounded). */
function h2loadArgs({ port, connections, streams, requests, bodyFile, gzip }) {
  return [
    `-c${connections}`,
    `-m${streams}`,
    `-n${requests}`,
    '-d',
    bodyFile,
    '-H',
    'content-type: application/grpc',
    '-H',
    'te: trailers',
    ...(gzip ? ['-H', 'grpc-accept-encoding: gzip'] : []),
    `http://127.0.0.1:${port}${METHODS.unary}`,
  ];
}

/**
 * Runs h2load once (at most `timeoutMs`; `track(child)` lets the orchestrator kill it if it is
 * interrupted) and returns its figures. Throws unless every request succeeded with a 2xx status and
 * exactly `requests` × `perResponse` bytes of DATA came back: a gRPC error is a 200 with
 * grpc-status in a header block and no message, so it would show as missing DATA bytes.
 */
export function runH2load(options, { perResponse, timeoutMs = 180_000, track }) {
  const args = h2loadArgs(options);
  return new Promise((resolve, reject) => {
    const child = execFile('h2load', args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) {
        reject(new Error(`h2load ${args.join(' ')}: ${error.message}\n${stdout}`));
        return;
      }
      try {
        resolve(checked(parseH2load(stdout), options.requests, perResponse));
      } catch (parseError) {
        reject(new Error(`h2load ${args.join(' ')}: ${parseError.message}\n${stdout}`));
      }
    });
    track?.(child);
  });
}

function parseH2load(text) {
  const number = (regex, what) => {
    const match = regex.exec(text);
    if (!match) throw new Error(`no ${what} in h2load's output`);
    return Number(match[1]);
  };
  return {
    rate: number(/^finished in [^,]+, ([\d.]+) req\/s/m, 'req/s'),
    done: number(/^requests: .* (\d+) done/m, 'done count'),
    succeeded: number(/^requests: .* (\d+) succeeded/m, 'succeeded count'),
    failed: number(/^requests: .* (\d+) failed/m, 'failed count'),
    errored: number(/^requests: .* (\d+) errored/m, 'errored count'),
    status2xx: number(/^status codes: (\d+) 2xx/m, 'status codes'),
    dataBytes: number(/^traffic: .*\((\d+)\) data/m, 'data bytes'),
    meanMs: parseDuration(/^time for request:\s+\S+\s+\S+\s+(\S+)/m.exec(text)?.[1]),
  };
}

/** h2load's durations: `549us`, `2.57ms`, `1.2s`, in ms. */
function parseDuration(value) {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value ?? '');
  if (!match) return undefined;
  return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]];
}

function checked(result, requests, perResponse) {
  const problems = [];
  if (result.done !== requests || result.succeeded !== requests) problems.push('not every request succeeded');
  if (result.failed || result.errored) problems.push(`${result.failed} failed, ${result.errored} errored`);
  if (result.status2xx !== requests) problems.push(`${result.status2xx} of ${requests} answered 2xx`);
  if (result.dataBytes !== requests * perResponse)
    problems.push(`${result.dataBytes} bytes of DATA, expected ${requests} × ${perResponse}`);
  if (problems.length) throw new Error(problems.join('; '));
  return result;
}

/**
 * Checks a server with a raw node:http2 client before it is measured: `callsPerConnection` calls
 * with h2load's exact request on each of `connections` connections (several, so that every
 * worker of a cluster is reached), each answered with :status 200, an application/grpc content
 * type, one message holding the benchmark payload (gzipped when `gzip`) and trailers with
 * grpc-status 0. Returns the number of calls checked; throws on the first wrong answer.
 */
export async function checkServer(port, { gzip = false, connections = 2, callsPerConnection = 3 } = {}) {
  let calls = 0;
  for (let index = 0; index < connections; index++) {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {}); // surfaces as the failed call below
    try {
      for (let call = 0; call < callsPerConnection; call++) {
        checkAnswer(await rawCall(session, gzip), gzip);
        calls++;
      }
    } finally {
      session.close();
    }
  }
  return calls;
}

function rawCall(session, gzip) {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': METHODS.unary,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(gzip ? { 'grpc-accept-encoding': 'gzip' } : {}),
    });
    const timer = setTimeout(() => {
      stream.close();
      reject(new Error('no answer within 5 s'));
    }, 5000);
    let headers = {};
    let trailers = {};
    const chunks = [];
    stream.on('response', (received) => {
      headers = received;
    });
    stream.on('trailers', (received) => {
      trailers = received;
    });
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      resolve({ headers, trailers, body: Buffer.concat(chunks) });
    });
    stream.end(REQUEST_BODY);
  });
}

function checkAnswer({ headers, trailers, body }, gzip) {
  const fail = (why) => {
    throw new Error(
      `raw check: ${why} (headers ${JSON.stringify(headers)}, trailers ${JSON.stringify(trailers)})`,
    );
  };
  if (headers[':status'] !== 200) fail(`:status ${headers[':status']}`);
  if (!String(headers['content-type']).startsWith('application/grpc')) fail('not application/grpc');
  const status = trailers['grpc-status'] ?? headers['grpc-status'];
  if (status !== '0') fail(`grpc-status ${status}`);
  if (body.length < 5 || body.readUInt32BE(1) !== body.length - 5)
    fail(`${body.length} bytes, not one message`);
  const compressed = body[0] === 1;
  if (compressed !== gzip) fail(gzip ? 'response not compressed' : 'response compressed');
  if (gzip && headers['grpc-encoding'] !== 'gzip') fail(`grpc-encoding ${headers['grpc-encoding']}`);
  const message = compressed ? gunzipSync(body.subarray(5)) : body.subarray(5);
  if (!decode(message).payload.equals(PAYLOAD)) fail('wrong payload');
}

// ---- summary and report --------------------------------------------------------------------------

/** Per load and server: medians over rounds, the req/s range, and same-run ratios. */
export function summarizeH2load(raw, servers, loads) {
  const summary = {};
  for (const load of loads) {
    summary[load] = {};
    for (const server of servers) {
      const rounds = raw.map((round) => round[server]?.[load]).filter(Boolean);
      if (rounds.length === 0) continue;
      const rates = rounds.map((round) => round.rate);
      summary[load][server] = {
        rate: median(rates),
        rateMin: Math.min(...rates),
        rateMax: Math.max(...rates),
        cpuPerRequestUs: median(rounds.map((round) => round.cpuPerRequestUs)),
        meanMs: median(rounds.map((round) => round.meanMs).filter(Number.isFinite)),
        rounds: rounds.length,
      };
    }
  }
  return summary;
}

const fmt = (value, digits = 1) =>
  value === undefined || !Number.isFinite(value)
    ? '–'
    : Math.abs(value) >= 100
      ? Math.round(value).toString()
      : value.toFixed(digits);
const times = (value) => (value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}x`);

/** The per-round ratios of `metric` of server `a` to server `b` under `load`: [min, max]. */
function roundRange(h2load, load, a, b, metric) {
  const ratios = h2load.raw
    .map((round) => round[a]?.[load]?.[metric] / round[b]?.[load]?.[metric])
    .filter(Number.isFinite);
  return ratios.length ? [Math.min(...ratios), Math.max(...ratios)] : undefined;
}

/** The "h2load" section of BENCHMARKS.md (lines). */
export function h2loadSection(h2load) {
  const c = h2load.config;
  const loadTitle = (load) => `-c${H2LOAD_LOADS[load].connections} -m${H2LOAD_LOADS[load].streams}`;
  const lines = [
    `Generated by \`pnpm bench${h2load.only || h2load.quick ? ' --' : ''}${h2load.only ? ' --h2load' : ''}${h2load.quick ? ' --quick' : ''}\` on ${h2load.date.slice(0, 16).replace('T', ' ')} UTC with ${h2load.h2load}: ${h2load.rounds} interleaved rounds, medians; load average before/after ${h2load.machine.loadBefore} / ${h2load.machine.loadAfter}.`,
    '',
    `The servers alone, under nghttp2's \`h2load\` (a C client, far cheaper per request than any Node client, on the same 2-core VM). Every request is a unary call to \`${METHODS.unary}\`: a POST of the pre-framed request (5-byte prefix + the 100-byte \`Payload\`, ${REQUEST_BODY.length} bytes, \`-d FILE\`) with \`-H 'content-type: application/grpc' -H 'te: trailers'\` (the gzip row adds \`-H 'grpc-accept-encoding: gzip'\`), e.g. \`h2load -c4 -m64 -n${c.requests} -d request.bin -H 'content-type: application/grpc' -H 'te: trailers' http://127.0.0.1:PORT${METHODS.unary}\`. Per round, each server runs in a fresh process (order reversed every other round); before it is measured, a raw node:http2 client checks ${c.checkCalls} of its answers (status 200, one message with the payload, gzipped for the gzip row, trailers grpc-status 0). Then per load: ${c.warmupRequests} uncounted requests, and ${c.requests} measured ones between two snapshots of the server process's \`process.cpuUsage()\`. Every h2load run must report all requests succeeded with 2xx and exactly requests × response size bytes of DATA (a gRPC error would carry no message), or the run fails. req/s is h2load's; CPU is the server's per request (for the cluster rows, summed over the workers; the primary, which only hands connections out, is not counted).`,
    '',
    `The Node limit is a bare node:http2 server (\`packages/bench/src/impls/node-limit.mjs\`) that answers the same bytes: headers with \`waitForTrailers\`, the framed response, \`sendTrailers({'grpc-status': '0'})\`. The cluster rows run the grpc-aio server in node:cluster workers sharing one port (round-robin: the primary accepts each connection and hands it to the next free worker); h2load and the workers share the VM's 2 cores. Ratios are of the medians; "rounds" gives the lowest and highest per-round ratio.`,
    '',
    '| target | measured | met? |',
    '|---|---|---|',
  ];
  const s = h2load.summary;
  const target = (label, a, b, metric, test) => {
    const parts = [];
    const oks = [];
    for (const load of h2load.loads) {
      const value = s[load]?.[a]?.[metric] / s[load]?.[b]?.[metric];
      if (!Number.isFinite(value)) continue;
      const range = roundRange(h2load, load, a, b, metric);
      parts.push(`${loadTitle(load)} ${times(value)} (rounds ${times(range?.[0])}–${times(range?.[1])})`);
      oks.push([load, test(value)]);
    }
    const missed = oks.filter(([, ok]) => !ok).map(([load]) => loadTitle(load));
    const verdict =
      oks.length === 0 ? '–' : missed.length === 0 ? 'met' : `**not met** (${missed.join(', ')})`;
    lines.push(`| ${label} | ${parts.join('; ') || '–'} | ${verdict} |`);
  };
  target('grpc-aio req/s >= 1.3x grpc-js', 'aio', 'grpcjs', 'rate', (v) => v >= 1.3);
  target(
    'grpc-aio server CPU per request <= 0.75x grpc-js',
    'aio',
    'grpcjs',
    'cpuPerRequestUs',
    (v) => v <= 0.75,
  );
  target('grpc-aio req/s >= 0.85x the Node limit', 'aio', 'node-limit', 'rate', (v) => v >= 0.85);
  lines.push('');
  for (const load of h2load.loads) {
    lines.push(`### h2load ${loadTitle(load)}, ${c.requests} requests per round`, '');
    lines.push(
      '| server | req/s | lowest–highest round | vs grpc-js | vs Node limit | server CPU µs/request | vs grpc-js | vs Node limit | mean request time ms |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    const base = s[load]?.grpcjs;
    const limit = s[load]?.['node-limit'];
    for (const server of h2load.servers) {
      const row = s[load]?.[server];
      if (!row) continue;
      lines.push(
        `| ${H2LOAD_SERVERS[server].title} | ${fmt(row.rate)} | ${fmt(row.rateMin)}–${fmt(row.rateMax)} | ${times(row.rate / base?.rate)} | ${times(row.rate / limit?.rate)} | ${fmt(row.cpuPerRequestUs)} | ${times(row.cpuPerRequestUs / base?.cpuPerRequestUs)} | ${times(row.cpuPerRequestUs / limit?.cpuPerRequestUs)} | ${fmt(row.meanMs, 2)} |`,
      );
    }
    lines.push('');
    // How the connections were spread over the workers (each h2load run connects anew).
    for (const server of h2load.servers) {
      if (!(H2LOAD_SERVERS[server].workers > 1) || !s[load]?.[server]) continue;
      const perRound = h2load.raw
        .map((round, index) => {
          const shares = round[server]?.[load]?.workerCpuShares;
          return (
            shares && `round ${index + 1} ${shares.map((share) => `${Math.round(share * 100)}%`).join(' / ')}`
          );
        })
        .filter(Boolean);
      if (perRound.length)
        lines.push(
          `${H2LOAD_SERVERS[server].title}: each worker's share of the server CPU (busiest first, a trace of how the ${H2LOAD_LOADS[load].connections} connections were spread): ${perRound.join('; ')}.`,
          '',
        );
    }
  }
  return lines;
}
