#!/usr/bin/env node
// pnpm bench [-- --quick] [--rounds N] [--pairs a,b] [--workloads w1,w2] [--memory | --skip-memory]
//            [--memory-rounds N] [--profile [--profile-dir DIR]] [--aio-server FILE] [--aio-channel FILE]
//            [--h2load | --skip-h2load] [--h2load-rounds N] [--h2load-servers a,b] [--out FILE] [--json FILE]
// Runs every workload for every client->server pair in separate processes on 127.0.0.1, rounds
// interleaved (A B A B ...), and writes medians and same-run ratios against raw grpc-js to
// BENCHMARKS.md (+ BENCHMARKS.json); then the paired runs, the h2load workload (the servers alone
// under nghttp2's h2load) and (unless --skip-memory) the memory measurements.
import { execFileSync, fork } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkServer,
  H2LOAD_LOADS,
  H2LOAD_SERVERS,
  h2loadSection,
  h2loadVersion,
  REQUEST_BODY,
  responseBytes,
  runH2load,
  summarizeH2load,
} from './h2load.mjs';
import { median } from './stats.mjs';

// `pnpm bench -- --quick` reaches us as `-- -- --quick` (the root script ends in `--` already).
const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    quick: { type: 'boolean' },
    rounds: { type: 'string' },
    pairs: { type: 'string' },
    workloads: { type: 'string' },
    memory: { type: 'boolean' },
    'skip-memory': { type: 'boolean' },
    report: { type: 'boolean' },
    'memory-rounds': { type: 'string' },
    profile: { type: 'boolean' },
    'aio-server': { type: 'string' },
    'aio-channel': { type: 'string' },
    'profile-dir': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
    pin: { type: 'boolean' },
    paired: { type: 'boolean' },
    'skip-paired': { type: 'boolean' },
    'paired-rounds': { type: 'string' },
    'ab-channel': { type: 'string' },
    'ab-server': { type: 'string' },
    'ab-interceptors': { type: 'string' },
    instructions: { type: 'boolean' },
    'instructions-rounds': { type: 'string' },
    h2load: { type: 'boolean' },
    'skip-h2load': { type: 'boolean' },
    telemetry: { type: 'boolean' },
    'h2load-rounds': { type: 'string' },
    'h2load-servers': { type: 'string' },
  },
});

// A/B another build of grpc-aio (the workers inherit the environment).
if (args['aio-server']) process.env.BENCH_AIO_SERVER = resolve(args['aio-server']);
if (args['aio-channel']) process.env.BENCH_AIO_CHANNEL = resolve(args['aio-channel']);
// --ab-channel/--ab-server FILE (with --paired): the paired runs compare grpc-aio with that build
// of the channel/server (the `aiob` arm) instead of comparing implementations.
if (args['ab-channel']) process.env.BENCH_AIOB_CHANNEL = resolve(args['ab-channel']);
if (args['ab-server']) process.env.BENCH_AIOB_SERVER = resolve(args['ab-server']);
// --ab-interceptors FILE (with --ab-channel): that build of @grpc-aio/interceptors/client too, and
// the A/B client group also compares the two builds through two pass-through interceptors.
if (args['ab-interceptors']) process.env.BENCH_AIOB_INTERCEPTORS = resolve(args['ab-interceptors']);

// Pin the grpc-aio builds for the whole run: copy the dist folders of channel, server and the
// @grpc-aio packages they depend on into a private tree (package.json + dist, node_modules links to
// the pinned copies, everything else linked to the real one), so that a rebuild during the run
// (tsdown wipes and rewrites dist) can neither break a worker nor mix two builds in one run.
const pinDir = mkdtempSync(join(tmpdir(), 'grpc-aio-bench-'));
const pinned = new Map();
function pinPackage(packageDir) {
  const name = basename(packageDir);
  if (pinned.has(name)) return pinned.get(name);
  const target = join(pinDir, name);
  if (!existsSync(join(packageDir, 'dist', 'index.mjs')))
    throw new Error(`${packageDir} is not built (or being rebuilt)`);
  pinned.set(name, target);
  mkdirSync(join(target, 'node_modules'), { recursive: true });
  cpSync(join(packageDir, 'package.json'), join(target, 'package.json'));
  cpSync(join(packageDir, 'dist'), join(target, 'dist'), { recursive: true });
  const modules = join(packageDir, 'node_modules');
  for (const scope of existsSync(modules) ? readdirSync(modules) : []) {
    if (scope.startsWith('.')) continue;
    if (scope !== '@grpc-aio') {
      symlinkSync(realpathSync(join(modules, scope)), join(target, 'node_modules', scope));
      continue;
    }
    mkdirSync(join(target, 'node_modules', scope));
    for (const dependency of readdirSync(join(modules, scope))) {
      const real = realpathSync(join(modules, scope, dependency));
      const linked = existsSync(join(real, 'dist')) ? pinPackage(real) : real;
      symlinkSync(linked, join(target, 'node_modules', scope, dependency));
    }
  }
  return target;
}
for (let attempt = 1; !args.report; attempt++) {
  try {
    for (const [name, variable] of [
      ['server', 'BENCH_AIO_SERVER'],
      ['channel', 'BENCH_AIO_CHANNEL'],
    ]) {
      if (process.env[variable]?.startsWith(pinDir) === false) continue; // given by --aio-server/--aio-channel
      const packageDir = join(fileURLToPath(new URL('../..', import.meta.url)), name);
      process.env[variable] = join(pinPackage(packageDir), 'dist', 'index.mjs');
    }
    break;
  } catch (error) {
    if (attempt === 10) throw error;
    process.stderr.write(`pinning the grpc-aio builds failed (${error.message}); retrying in 3 s\n`);
    rmSync(pinDir, { recursive: true, force: true });
    mkdirSync(pinDir);
    pinned.clear();
    for (const variable of ['BENCH_AIO_SERVER', 'BENCH_AIO_CHANNEL'])
      if (process.env[variable]?.startsWith(pinDir)) delete process.env[variable];
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}
process.on('exit', () => rmSync(pinDir, { recursive: true, force: true }));

const ALL_PAIRS = ['grpcjs>grpcjs', 'aio>aio', 'nice>nice', 'aio>grpcjs', 'grpcjs>aio'];
const BASE = 'grpcjs>grpcjs';
const pairs = args.pairs ? args.pairs.split(',') : ALL_PAIRS;
for (const pair of pairs) {
  // `aio+gzip` as a server: grpc-aio with gzip responses (`--pairs grpcjs>grpcjs,grpcjs>aio+gzip --workloads w2`).
  // `aio+noop`/`aio+metrics`/`aio+otel` on both sides: grpc-aio with the OpenTelemetry plugin (telemetry.mjs).
  if (
    !/^(grpcjs|aiob?|nice|aiob?\+icpt|aio\+(?:noop|metrics|otel))>(grpcjs|aio|nice|aio\+(?:gzip|noop|metrics|otel))$/.test(
      pair,
    )
  )
    throw new Error(`Unknown pair ${pair} (use e.g. aio>grpcjs)`);
}
const workloadNames = args.workloads ? args.workloads.split(',') : ['w1', 'w2', 'w3', 'w4', 'w5'];
const rounds = Number(args.rounds ?? (args.quick ? 2 : 5));
const runInstructions = Boolean(args.instructions) && !args.report;
const runPerf = !args.memory && !args.report && !args.paired && !runInstructions && !args.h2load;
const runMemory =
  (args.memory || !args['skip-memory']) && !args.report && !args.paired && !runInstructions && !args.h2load;
const runPairedRuns = (args.paired || (!args['skip-paired'] && runPerf)) && !args.report;
const runH2loadPart = (args.h2load || (!args['skip-h2load'] && runPerf)) && !args.report;
const h2loadRounds = Number(args['h2load-rounds'] ?? (args.quick ? 2 : 5));
const h2loadServers = args['h2load-servers']
  ? args['h2load-servers'].split(',')
  : Object.keys(H2LOAD_SERVERS);
for (const server of h2loadServers) {
  if (!H2LOAD_SERVERS[server])
    throw new Error(`Unknown h2load server ${server} (one of ${Object.keys(H2LOAD_SERVERS).join(', ')})`);
}
// h2load: per server and load, uncounted requests, then the measured ones (a fixed count, so that
// every h2load run is bounded); the raw check's calls per server process.
const h2loadConfig = {
  warmupRequests: args.quick ? 5000 : 20000,
  requests: args.quick ? 30000 : 100000,
  checkCalls: 12,
};
// W1 (time-based, 64 calls in flight) counts erratically under valgrind (rounds ±50–150%: the
// event loop's batching follows valgrind's speed); W4 gives the cost of a unary call. W1 only when asked.
const instructionsWorkloads = args.workloads ? workloadNames : ['w2', 'w3', 'w4', 'w5'];
const instructionsRounds = Number(args['instructions-rounds'] ?? (args.quick ? 3 : 5));
const pairedRounds = Number(args['paired-rounds'] ?? (args.quick ? 4 : 10));
// Memory is per implementation: the same-implementation pairs among the selected ones.
const memoryImpls = [
  ...new Set(
    pairs.filter((pair) => pair.split('>')[0] === pair.split('>')[1]).map((pair) => pair.split('>')[0]),
  ),
];
const memoryRounds = Number(args['memory-rounds'] ?? 1);
const config = args.quick
  ? {
      warmupMs: 300,
      durationMs: 2000,
      warmupMessages: 5000,
      messages: 50000,
      warmupPingPongs: 200,
      pingPongs: 2000,
      warmupCalls: 200,
      calls: 1000,
    }
  : {
      warmupMs: 1000,
      durationMs: 5000,
      warmupMessages: 20000,
      messages: 200000,
      warmupPingPongs: 1000,
      pingPongs: 10000,
      warmupCalls: 500,
      calls: 5000,
    };
// Paired runs: one batch per arm and round, each a shortened workload (with its own warm-up).
const pairedConfig = {
  warmupMs: 200,
  durationMs: 1000,
  warmupMessages: 2000,
  messages: args.quick ? 20000 : 30000,
  warmupPingPongs: 200,
  pingPongs: 3000,
  warmupCalls: 100,
  calls: 2000,
};
// The arms of each paired run, the baseline first. Every server of a group lives in one process,
// every client in another, so all arms of a group share one machine state.
const PAIRED_GROUPS =
  args['ab-channel'] || args['ab-server']
    ? {
        ...(args['ab-channel']
          ? {
              'A/B client build': [
                'aio>grpcjs',
                'aiob>grpcjs',
                ...(args['ab-interceptors'] ? ['aio+icpt>grpcjs', 'aiob+icpt>grpcjs'] : []),
              ],
            }
          : {}),
        ...(args['ab-server'] ? { 'A/B server build': ['grpcjs>aio', 'grpcjs>aiob'] } : {}),
      }
    : args.telemetry
      ? // --telemetry: what the OpenTelemetry plugin costs, end to end (both sides instrumented). Two
        // groups (two pairs of processes): the SDK arms set a global context manager and propagator,
        // which the no-op arm must not see (an application without the SDK has neither).
        {
          'telemetry, no-op providers': ['grpcjs>grpcjs', 'aio>aio', 'aio+noop>aio+noop'],
          'telemetry, SDK': ['grpcjs>grpcjs', 'aio>aio', 'aio+metrics>aio+metrics', 'aio+otel>aio+otel'],
        }
      : {
          // aio+icpt: the grpc-aio client through two pass-through interceptors.
          client: ['grpcjs>grpcjs', 'aio>grpcjs', 'aio+icpt>grpcjs'],
          server: ['grpcjs>grpcjs', 'grpcjs>aio'],
          'end to end': ['grpcjs>grpcjs', 'aio>aio', 'nice>nice'],
        };
// --instructions: every process under callgrind, which counts the instructions it executes (all its
// threads: JIT, GC and the main thread) while the measured section runs. The count does not depend
// on what else the machine is doing, so it is a deterministic view of CPU per operation. Valgrind
// runs Node ~50x slower, so the batches are small; each workload starts with a long uncounted
// warm-up round (the JIT needs ~40k streamed messages to settle) and one normal uncounted round.
const instructionsWarmup = {
  warmupMs: args.quick ? 6000 : 15000,
  durationMs: 1000,
  warmupMessages: args.quick ? 20000 : 40000,
  messages: 1000,
  warmupPingPongs: args.quick ? 2000 : 5000,
  pingPongs: 100,
  warmupCalls: args.quick ? 2000 : 5000,
  calls: 100,
};
const instructionsConfig = {
  warmupMs: 1000,
  durationMs: 3000,
  warmupMessages: 1000,
  messages: 5000,
  warmupPingPongs: 100,
  pingPongs: 1000,
  warmupCalls: 100,
  calls: 1000,
};
const memoryConfig = args.quick
  ? { idleStreams: 5000, firstCalls: 5000, totalCalls: 50000 }
  : { idleStreams: 10000, firstCalls: 20000, totalCalls: 200000 };
const workloadTitles = {
  w1: 'W1 64 concurrent unary',
  w2: `W2 server stream ${config.messages} msgs`,
  w3: `W3 ${config.pingPongs} bidi ping-pongs`,
  w4: 'W4 sequential unary',
  w5: `W5 client stream ${config.messages} msgs`,
};
const worker = new URL('./worker.mjs', import.meta.url).pathname;
const profileDir = args.profile ? (args['profile-dir'] ?? '/tmp/grpc-aio-bench-profiles') : undefined;
const children = new Set();

// --pin: the server on the last core, the client on the first (all their threads), so that the
// two processes never compete for one core and the scheduler cannot move them mid-run.
const pinCores = args.pin ? [0, Math.max(1, cpus().length - 1)] : undefined;
function pin(child, core) {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(child.pid)], { stdio: 'ignore' });
}

/**
 * Forks a worker (`script`: worker.mjs unless given); with `callgrindOut` (a file path), under
 * callgrind with instrumentation off.
 */
function start(workerArgs, profileAs, callgrindOut, script = worker) {
  let execArgv = ['--expose-gc'];
  if (profileDir !== undefined && profileAs !== undefined) {
    const dir = join(profileDir, profileAs);
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250');
  }
  let execPath = process.execPath;
  if (callgrindOut !== undefined) {
    // Valgrind runs Node in the same process (same pid), so callgrind_control can reach it.
    // --single-threaded: V8 compiles and collects garbage on the main thread, at points that do
    // not depend on how valgrind schedules threads, so counts repeat from round to round.
    execArgv = [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${callgrindOut}`,
      '--log-file=/dev/null',
      process.execPath,
      '--single-threaded',
      ...execArgv,
    ];
    execPath = 'valgrind';
  }
  const child = fork(script, workerArgs, {
    execPath,
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const waiters = new Map();
  child.on('message', (message) => {
    const key = message.id !== undefined ? `${message.type}:${message.id}` : message.type;
    const waiter = waiters.get(key);
    if (waiter) {
      waiters.delete(key);
      waiter(message);
    } else child.emit('unhandled-message', message);
  });
  const next = (key) => new Promise((resolve) => waiters.set(key, resolve));
  return { child, next, exited };
}

// Never leave workers behind (they would keep pipes and ports open).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

/**
 * Starts a server and a client worker for `pair`, runs `body(run)`, stops both. With `callgrindDir`,
 * both run under callgrind and a run's marks count instructions instead of taking snapshots.
 */
function withPair(pair, tag, body, callgrindDir) {
  const [clientImpl, serverImpl] = pair.split('>');
  const label = `${pair.replace('>', '-to-')}-${tag}`;
  return withWorkers(serverImpl, ({ port }) => [clientImpl, `127.0.0.1:${port}`], label, body, callgrindDir);
}

/** The instruction count (all events `Ir`) of a callgrind dump file. */
function callgrindTotal(file) {
  const match = /^totals:\s*(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`no totals in ${file}`);
  return Number(match[1]);
}

/**
 * Callgrind bookkeeping for one server and one client worker: the first mark of a measured section
 * switches counting on in both, the second dumps both (a dump also zeroes the counters) and switches
 * it off again. Returns `mark()`: undefined, or at a section's end `{ client, server }` instructions.
 */
function callgrindMarks(server, client, files) {
  let dumps = 0; // both processes dump together, so their dump files share a number
  const pids = [String(server.child.pid), String(client.child.pid)];
  const control = (...flags) => execFileSync('callgrind_control', [...flags, ...pids], { stdio: 'ignore' });
  let counting = false;
  return () => {
    counting = !counting;
    if (counting) {
      control('--instr=on');
      return undefined;
    }
    control('--dump');
    control('--instr=off');
    dumps++;
    return {
      server: callgrindTotal(`${files.server}.${dumps}`),
      client: callgrindTotal(`${files.client}.${dumps}`),
    };
  };
}

/**
 * Starts a server worker (`serverImpls`: one or several, comma-separated) and a client worker
 * (`clientArgs(ready)` gives its arguments), runs `body(run)`, stops both. With `callgrindDir`,
 * both run under callgrind (see callgrindMarks) and `run` returns instruction counts as snapshots.
 */
async function withWorkers(serverImpls, clientArgs, label, body, callgrindDir) {
  const files =
    callgrindDir === undefined
      ? undefined
      : {
          server: join(callgrindDir, `${label}-server.out`),
          client: join(callgrindDir, `${label}-client.out`),
        };
  const server = start(['server', serverImpls], `${label}-server`, files?.server);
  const ready = await server.next('ready');
  if (pinCores !== undefined) pin(server.child, pinCores[1]);
  const client = start(['client', ...clientArgs(ready)], `${label}-client`, files?.client);
  await client.next('ready');
  if (pinCores !== undefined) pin(client.child, pinCores[0]);
  let snapshotId = 0;
  const snapshots = [];
  const countMark = files === undefined ? undefined : callgrindMarks(server, client, files);
  client.child.on('unhandled-message', async (message) => {
    if (message.type === 'mark' && countMark !== undefined) {
      let counted;
      try {
        counted = countMark();
      } catch (error) {
        client.child.send({
          type: 'marked',
          id: message.id,
          snapshot: { error: String(error?.message ?? error) },
        });
        return;
      }
      if (counted !== undefined) snapshots.push(counted);
      client.child.send({ type: 'marked', id: message.id, snapshot: {} });
    } else if (message.type === 'mark') {
      const id = ++snapshotId;
      server.child.send({ type: 'snapshot', id, gc: message.gc, idle: message.idle });
      const snapshot = await server.next(`snapshot:${id}`);
      snapshots.push(snapshot);
      client.child.send({ type: 'marked', id: message.id, snapshot });
    }
  });
  const run = async (workload, workloadConfig, order) => {
    snapshots.length = 0;
    const done = Promise.race([
      client.next('result'),
      client.next('error'),
      client.exited.then(() => ({ type: 'error', message: 'client exited' })),
    ]);
    client.child.send(
      order === undefined
        ? { type: 'run', workload, config: workloadConfig }
        : { type: 'run-paired', workload, config: workloadConfig, order },
    );
    const message = await done;
    if (message.type === 'error') throw new Error(`${label} ${workload}: ${message.message}`);
    return { result: message.result, snapshots: [...snapshots] };
  };
  try {
    return await body(run);
  } catch (error) {
    client.child.kill();
    server.child.kill();
    throw error;
  } finally {
    if (client.child.connected) client.child.send({ type: 'stop' });
    if (server.child.connected) server.child.send({ type: 'stop' });
    await Promise.all([client.exited, server.exited]);
  }
}

function runPair(pair, round) {
  return withPair(pair, 'perf', async (run) => {
    const results = {};
    for (const workload of workloadNames) {
      const { result, snapshots } = await run(workload, config);
      const [before, after] = snapshots;
      results[workload] = withCpuPerOp(result, before, after);
      process.stderr.write(`  r${round} ${pair} ${workload}: ${Math.round(result.rate)}/s\n`);
    }
    return results;
  });
}

/** A workload's result with CPU per operation: the client's own, the server's between two snapshots. */
function withCpuPerOp(result, before, after) {
  const serverCpuUs = after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
  return {
    ...result,
    clientCpuPerOpUs: result.clientCpuUs / result.ops,
    serverCpuPerOpUs: serverCpuUs / result.ops,
  };
}

/**
 * A paired run: every arm of `arms` in the same two processes, one batch per arm and round, in
 * alternating order (A B, B A, ...), every workload. Returns per workload, per round, per arm.
 */
function runPairedGroup(name, arms) {
  const serverImpls = [...new Set(arms.map((arm) => arm.split('>')[1]))].join(',');
  const label = `paired-${name.replaceAll(' ', '-')}`;
  return withWorkers(
    serverImpls,
    ({ ports }) => [arms.join(','), JSON.stringify(ports)],
    label,
    async (run) => {
      const results = {};
      for (const workload of workloadNames) {
        results[workload] = [];
        // Round 0 warms every arm up (JIT, connections) and is not counted.
        for (let round = 0; round <= pairedRounds; round++) {
          const order = round % 2 ? arms : [...arms].reverse();
          const { result, snapshots } = await run(workload, pairedConfig, order);
          if (round === 0) continue;
          const row = {};
          order.forEach((arm, index) => {
            row[arm] = withCpuPerOp(result[arm], snapshots[2 * index], snapshots[2 * index + 1]);
          });
          results[workload].push(row);
        }
        process.stderr.write(`  paired ${name} ${workload}: ${pairedRounds} rounds\n`);
      }
      return results;
    },
  );
}

/**
 * One workload of one pair under callgrind, in fresh processes (what ran before in a process
 * changes what the JIT makes of the next workload by up to ~25%, so no workload follows another):
 * instructions per operation of each counted round.
 */
function runInstructionsWorkload(pair, workload, callgrindDir) {
  return withPair(
    pair,
    `instructions-${workload}`,
    async (run) => {
      const rounds = [];
      // Rounds -1 and 0 warm up and are not counted: the first round after the long warm-up still
      // runs ~2x the steady count (measured: W5 61k then 28-29k instructions per message).
      for (let round = -1; round <= instructionsRounds; round++) {
        const { result, snapshots } = await run(
          workload,
          round < 0 ? instructionsWarmup : instructionsConfig,
        );
        if (round <= 0) continue;
        const [counted] = snapshots;
        rounds.push({
          ops: result.ops,
          clientPerOp: counted.client / result.ops,
          serverPerOp: counted.server / result.ops,
        });
      }
      const client = median(rounds.map((round) => round.clientPerOp));
      const server = median(rounds.map((round) => round.serverPerOp));
      process.stderr.write(
        `  instructions ${pair} ${workload}: client ${Math.round(client)}, server ${Math.round(server)} per op (medians)\n`,
      );
      return rounds;
    },
    callgrindDir,
  );
}

/** Per workload: the median, lowest and highest instructions per op over rounds, client and server. */
function summarizeInstructions(raw) {
  const summary = {};
  for (const [workload, rounds] of Object.entries(raw)) {
    const side = (key) => {
      const values = rounds.map((round) => round[key]);
      return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
    };
    summary[workload] = { client: side('clientPerOp'), server: side('serverPerOp') };
  }
  return summary;
}

const PAIRED_METRICS = ['rate', 'p50', 'p99', 'clientCpuPerOpUs', 'serverCpuPerOpUs'];
/** Per workload and arm: the median of each metric, and the median of its per-round ratios to the baseline. */
function summarizePaired(arms, raw) {
  const base = arms[0];
  const summary = {};
  for (const [workload, rounds] of Object.entries(raw)) {
    summary[workload] = {};
    for (const arm of arms) {
      const row = {};
      for (const metric of PAIRED_METRICS) {
        const values = rounds.map((round) => round[arm]?.[metric]).filter(Number.isFinite);
        const ratios = rounds
          .map((round) => ratioOf(round[arm]?.[metric], round[base]?.[metric]))
          .filter(Number.isFinite);
        row[metric] = values.length ? median(values) : undefined;
        row[`${metric}Ratio`] = ratios.length ? median(ratios) : undefined;
      }
      summary[workload][arm] = row;
    }
  }
  return summary;
}

const clusterScript = new URL('./cluster-server.mjs', import.meta.url).pathname;

/**
 * One server of the h2load workload in a fresh process, for one round: the raw check of its
 * answers, then per load an uncounted h2load run and a measured one between two snapshots of the
 * server's CPU (a cluster's primary sums its workers'). Returns per load: req/s, mean request time
 * and server CPU µs per request.
 */
async function runH2loadServer(name, round, bodyFile) {
  const spec = H2LOAD_SERVERS[name];
  const profileAs = `h2load-${name.replace('+', '-')}-server`;
  const server = spec.workers
    ? start([String(spec.workers)], profileAs, undefined, clusterScript)
    : start(['server', name], profileAs);
  // h2load runs are tracked with the workers, so an interrupted run kills them too.
  const track = (child) => {
    children.add(child);
    child.on('exit', () => children.delete(child));
  };
  try {
    const ready = await Promise.race([
      server.next('ready'),
      server.exited.then((code) => ({ exitedWith: code })),
    ]);
    if ('exitedWith' in ready)
      throw new Error(`${name} server exited (${ready.exitedWith}) before it was ready`);
    const { port } = ready;
    await checkServer(port, {
      gzip: spec.gzip,
      connections: 4,
      callsPerConnection: h2loadConfig.checkCalls / 4,
    });
    let snapshotId = 0;
    // The server's CPU (µs, user + system); a cluster's primary also gives each worker's.
    const cpuNow = async () => {
      const id = ++snapshotId;
      server.child.send({ type: 'snapshot', id });
      const { cpu, perWorker } = await server.next(`snapshot:${id}`);
      return { total: cpu.user + cpu.system, perWorker };
    };
    const perResponse = responseBytes(spec.gzip);
    const results = {};
    for (const [load, { connections, streams }] of Object.entries(H2LOAD_LOADS)) {
      if (spec.manyConnectionsOnly && connections === 1) continue;
      const options = { port, connections, streams, bodyFile, gzip: spec.gzip };
      await runH2load({ ...options, requests: h2loadConfig.warmupRequests }, { perResponse, track });
      const before = await cpuNow();
      const result = await runH2load({ ...options, requests: h2loadConfig.requests }, { perResponse, track });
      const after = await cpuNow();
      const cpuUs = after.total - before.total;
      results[load] = {
        rate: result.rate,
        meanMs: result.meanMs,
        cpuPerRequestUs: cpuUs / h2loadConfig.requests,
      };
      // How evenly the connections were spread: each worker's share of the CPU, busiest first.
      if (after.perWorker)
        results[load].workerCpuShares = after.perWorker
          .map((value, index) => (value - before.perWorker[index]) / cpuUs)
          .sort((a, b) => b - a);
      const shares = results[load].workerCpuShares;
      process.stderr.write(
        `  r${round} h2load ${name} ${load}: ${Math.round(result.rate)} req/s, ${results[load].cpuPerRequestUs.toFixed(1)} µs server CPU/request${shares ? ` (workers' CPU shares ${shares.map((share) => `${Math.round(share * 100)}%`).join(' / ')})` : ''}\n`,
      );
    }
    return results;
  } finally {
    if (server.child.connected) server.child.send({ type: 'stop' });
    const kill = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
    await server.exited;
    clearTimeout(kill);
  }
}

const MiB = 2 ** 20;
function runMemoryPair(impl) {
  const pair = `${impl}>${impl}`;
  return withPair(pair, 'memory', async (run) => {
    const { result: idle } = await run('memIdle', memoryConfig);
    const { result: unary } = await run('memUnary', memoryConfig);
    const per10k = 10000 / idle.streams;
    const delta = (side, key) => ((idle[side].open[key] - idle[side].before[key]) * per10k) / MiB;
    const growth = (side) => (unary[side].total.heapUsed - unary[side].first.heapUsed) / MiB;
    const row = {
      streams: idle.streams,
      openSeconds: idle.openSeconds,
      serverRssPer10k: delta('server', 'rss'),
      serverHeapPer10k: delta('server', 'heapUsed'),
      clientRssPer10k: delta('client', 'rss'),
      clientHeapPer10k: delta('client', 'heapUsed'),
      serverHeapReleased: (idle.server.after.heapUsed - idle.server.before.heapUsed) / MiB,
      firstCalls: unary.firstCalls,
      totalCalls: unary.totalCalls,
      clientHeapFirst: unary.client.first.heapUsed / MiB,
      clientHeapTotal: unary.client.total.heapUsed / MiB,
      clientHeapGrowth: growth('client'),
      serverHeapFirst: unary.server.first.heapUsed / MiB,
      serverHeapTotal: unary.server.total.heapUsed / MiB,
      serverHeapGrowth: growth('server'),
    };
    process.stderr.write(
      `  memory ${impl}: server ${row.serverRssPer10k.toFixed(1)} MiB RSS / ${row.serverHeapPer10k.toFixed(1)} MiB heap per 10k idle streams; client heap growth ${row.clientHeapGrowth.toFixed(2)} MiB\n`,
    );
    return row;
  });
}

// ---- report ------------------------------------------------------------------------------------

const fmt = (value, digits = 1) =>
  value === undefined || value === null
    ? '–'
    : Math.abs(value) >= 100
      ? Math.round(value).toString()
      : value.toFixed(digits);
const ratioOf = (value, base) => (value === undefined || !base ? undefined : value / base);
const ratio = (value, base) => {
  const r = ratioOf(value, base);
  return r === undefined ? '–' : `${r.toFixed(2)}x`;
};
const mib = (value) => (value === undefined ? '–' : value.toFixed(2));

function perfSection(perf) {
  const lines = [];
  const base = perf.summary[BASE];
  lines.push(
    `Generated by \`pnpm bench${perf.quick ? ' -- --quick' : ''}\` on ${perf.date.slice(0, 16).replace('T', ' ')} UTC: ${perf.rounds} interleaved rounds, medians. Machine: ${perf.machine.cpus}, ${perf.machine.memory}, Node ${perf.machine.node}${perf.machine.pinned ? ` (${perf.machine.pinned}, \`--pin\`)` : ''}; load average before/after ${perf.machine.loadBefore} / ${perf.machine.loadAfter ?? '?'}.`,
    '',
    'rate = calls/s (W1: median of 1-s buckets) or messages/s; p50/p99 in ms; CPU in µs per operation (call, message or ping-pong), per process. Ratios: against grpcjs>grpcjs of the same run (for rate, higher is better; for latency and CPU, lower is better).',
    '',
  );
  for (const workload of perf.workloads) {
    lines.push(`### ${perf.titles[workload]}`, '');
    lines.push(
      '| client>server | rate | vs grpc-js | p50 ms | vs grpc-js | p99 ms | client CPU µs/op | vs grpc-js | server CPU µs/op | vs grpc-js |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const pair of perf.pairs) {
      const row = perf.summary[pair][workload];
      const b = base?.[workload] ?? {};
      lines.push(
        `| ${pair} | ${fmt(row.rate)} | ${ratio(row.rate, b.rate)} | ${fmt(row.p50, 3)} | ${ratio(row.p50, b.p50)} | ${fmt(row.p99, 3)} | ${fmt(row.clientCpuPerOpUs)} | ${ratio(row.clientCpuPerOpUs, b.clientCpuPerOpUs)} | ${fmt(row.serverCpuPerOpUs)} | ${ratio(row.serverCpuPerOpUs, b.serverCpuPerOpUs)} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

function pairedSection(paired) {
  const c = paired.config;
  const lines = [
    `Generated by \`pnpm bench${paired.quick ? ' -- --quick' : ''}\` (or \`-- --paired\`) on ${paired.date.slice(0, 16).replace('T', ' ')} UTC: ${paired.rounds} rounds per group; load average before/after ${paired.machine.loadBefore} / ${paired.machine.loadAfter}.`,
    '',
    `Each group runs all its arms in **one server process** (every server implementation of the group, one port each) and **one client process** (one client per arm), taking turns batch by batch: round 1 in the order shown, round 2 reversed, and so on, after one uncounted warm-up round. A batch is a short workload with its own warm-up (W1 ${c.durationMs / 1000} s, W2/W5 ${c.messages} messages, W3 ${c.pingPongs} ping-pongs, W4 ${c.calls} calls). Both implementations of a comparison thus see the same machine state within about a second, which cancels most of the drift that separate processes and rounds suffer on a shared machine. The ratio is the **median over rounds of the per-round ratio** to the group's first arm (grpcjs>grpcjs). Server CPU is the server process's CPU during the batch. Caveat: arms of a group share one heap and one JIT, so one arm's garbage can be collected during another's batch (it shows as noise, not as a bias, since the order alternates).`,
    '',
  ];
  for (const [name, group] of Object.entries(paired.groups)) {
    lines.push(`### Paired: ${name} (${group.arms.join(' vs ')})`, '');
    lines.push(
      `| workload | client>server | rate | vs ${group.arms[0]} | p50 ms | vs ${group.arms[0]} | client CPU µs/op | vs ${group.arms[0]} | server CPU µs/op | vs ${group.arms[0]} |`,
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const workload of paired.workloads) {
      for (const arm of group.arms) {
        const row = group.summary[workload]?.[arm];
        if (!row) continue;
        const x = (value) => (value === undefined ? '–' : `${value.toFixed(2)}x`);
        lines.push(
          `| ${workload.toUpperCase()} | ${arm} | ${fmt(row.rate)} | ${x(row.rateRatio)} | ${fmt(row.p50, 3)} | ${x(row.p50Ratio)} | ${fmt(row.clientCpuPerOpUs)} | ${x(row.clientCpuPerOpUsRatio)} | ${fmt(row.serverCpuPerOpUs)} | ${x(row.serverCpuPerOpUsRatio)} |`,
        );
      }
    }
    lines.push('');
  }
  return lines;
}

function instructionsSection(instructions) {
  const c = instructions.config;
  const w = instructions.warmup;
  const lines = [
    `Generated by \`pnpm bench -- --instructions\` on ${instructions.date.slice(0, 16).replace('T', ' ')} UTC (${instructions.machine.minutes} min): each workload of each pair runs in a fresh server and client process under valgrind's callgrind, which counts the instructions each process executes (all its threads: main, JIT compiler, GC) between the two marks of a measured section. Unlike time, the count does not depend on the rest of the machine; it does depend on the JIT's decisions, so rounds in one process agree to a few % while separate runs differ by up to ~5% (and a process that ran other workloads first by up to ~25%, hence fresh processes). It does not see cache misses, system calls' kernel time, or waiting. W1 is left out unless asked for (\`--workloads\`): with 64 calls in flight its counts swing ±50–150% under valgrind; W4 gives the cost of a unary call. V8 runs \`--single-threaded\` (it compiles and collects on the main thread, at points that do not depend on valgrind's thread scheduling). Per workload: two uncounted warm-up rounds (a long one, W1 ${w.warmupMs / 1000} s, W2/W5 ${w.warmupMessages} messages, W3 ${w.warmupPingPongs} ping-pongs, W4 ${w.warmupCalls} calls, then a normal one: the JIT needs that long to settle under valgrind), then ${instructions.rounds} measured rounds (W1 ${c.durationMs / 1000} s, W2/W5 ${c.messages} messages, W3 ${c.pingPongs} ping-pongs, W4 ${c.calls} calls); figures are medians over rounds, spread = lowest–highest round against the median. A round that holds a major GC counts up to ~2x the others; the median leaves those out, so the figures are the steady cost without the occasional major GC (whose frequency the time-based runs above include).`,
    '',
  ];
  const base = instructions.summary[BASE];
  const kilo = (value) => (value === undefined ? '–' : `${(value / 1000).toFixed(1)}k`);
  const spread = (side) =>
    side === undefined
      ? '–'
      : `${(((side.min - side.median) / side.median) * 100).toFixed(0)}% / +${(((side.max - side.median) / side.median) * 100).toFixed(0)}%`;
  const total = (row) => (row ? row.client.median + row.server.median : undefined);
  // The comparisons the CPU and rate targets stand for (lower is better).
  const get = (pair, workload) => instructions.summary[pair]?.[workload];
  const x = (value, against) => ratio(value, against);
  const has = (workload) => instructions.workloads.includes(workload);
  lines.push('| comparison (instructions per operation, lower is better) | ratio |', '|---|---|');
  const compare = (label, workloads, value, pair, against = BASE) => {
    const parts = workloads
      .filter(has)
      .map(
        (workload) =>
          `${workload.toUpperCase()} ${x(value(get(pair, workload)), value(get(against, workload)))}`,
      );
    if (parts.length && get(pair, workloads.find(has)) && get(against, workloads.find(has)))
      lines.push(`| ${label} | ${parts.join('; ')} |`);
  };
  compare(
    'client per unary call, aio>grpcjs vs grpcjs>grpcjs',
    ['w1', 'w4'],
    (r) => r?.client.median,
    'aio>grpcjs',
  );
  compare(
    'server per unary call, grpcjs>aio vs grpcjs>grpcjs',
    ['w1', 'w4'],
    (r) => r?.server.median,
    'grpcjs>aio',
  );
  for (const pair of ['aio>aio', 'aio>grpcjs', 'grpcjs>aio'])
    compare(
      `client + server per message or ping-pong, ${pair} vs grpcjs>grpcjs`,
      ['w2', 'w3', 'w5'],
      total,
      pair,
    );
  compare(
    'client + server per operation, aio>aio vs nice>nice',
    ['w1', 'w2', 'w3', 'w4', 'w5'],
    total,
    'aio>aio',
    'nice>nice',
  );
  lines.push('');
  for (const workload of instructions.workloads) {
    lines.push(`### Instructions: ${workload.toUpperCase()}`, '');
    lines.push(
      '| client>server | client / op | vs grpc-js | spread | server / op | vs grpc-js | spread | client + server | vs grpc-js |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const pair of instructions.pairs) {
      const row = get(pair, workload);
      if (!row) continue;
      const b = base?.[workload];
      lines.push(
        `| ${pair} | ${kilo(row.client.median)} | ${x(row.client.median, b?.client.median)} | ${spread(row.client)} | ${kilo(row.server.median)} | ${x(row.server.median, b?.server.median)} | ${spread(row.server)} | ${kilo(total(row))} | ${x(total(row), total(b))} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

function memorySection(memory) {
  const lines = [];
  const c = memory.config;
  lines.push(
    `Generated by \`pnpm bench${memory.quick ? ' -- --quick' : ''}\` (or \`-- --memory\`) on ${memory.date.slice(0, 16).replace('T', ' ')} UTC, ${memory.rounds} round(s), medians; load average before/after ${memory.machine.loadBefore} / ${memory.machine.loadAfter}. Each implementation as client and server (x>x). Every figure is \`process.memoryUsage()\` after two forced full GCs (\`--expose-gc\`), in MiB.`,
    '',
    `- **Idle streams**: the client opens ${c.idleStreams} server streams whose handlers never answer; once all ${c.idleStreams} handlers are running on the server, both sides are measured; the difference to before, scaled to 10k streams. "released" = server heap after cancelling them all minus before (should be ~0).`,
    `- **Unary growth**: ${c.totalCalls} unary calls (64 concurrent); heap after ${c.firstCalls} calls vs after all ${c.totalCalls}.`,
    '',
    '| impl | server RSS / 10k idle streams | server heap / 10k | heap released | client RSS / 10k | client heap / 10k | open time s | client heap @' +
      `${c.firstCalls / 1000}k → @${c.totalCalls / 1000}k calls | growth | server heap @${c.firstCalls / 1000}k → @${c.totalCalls / 1000}k | growth |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const impl of memory.impls) {
    const r = memory.summary[impl];
    lines.push(
      `| ${impl} | ${mib(r.serverRssPer10k)} | ${mib(r.serverHeapPer10k)} | ${mib(r.serverHeapReleased)} | ${mib(r.clientRssPer10k)} | ${mib(r.clientHeapPer10k)} | ${fmt(r.openSeconds, 2)} | ${mib(r.clientHeapFirst)} → ${mib(r.clientHeapTotal)} | ${mib(r.clientHeapGrowth)} | ${mib(r.serverHeapFirst)} → ${mib(r.serverHeapTotal)} | ${mib(r.serverHeapGrowth)} |`,
    );
  }
  lines.push('');
  return lines;
}

// Growth within this bound (MiB, after GC) counts as noise.
const GROWTH_NOISE_MIB = 1;

function targetsSection(perf, memory, paired, instructions) {
  const lines = ['| target | measured | met? |', '|---|---|---|'];
  // ok: [on medians, on best rounds, in the paired run] (a target met only on some says which).
  const verdict = (ok) =>
    ok === undefined || ok[0] === undefined
      ? '–'
      : ok[0]
        ? ok[2] === false
          ? 'met on medians (**not** in the paired run)'
          : 'met'
        : ok[2]
          ? 'met in the paired run (not on separate-process medians)'
          : ok[1]
            ? '**not met** on medians (met on best rounds)'
            : '**not met**';
  const get = (pair, workload, metric) => perf?.summary?.[pair]?.[workload]?.[metric];
  // Best round: the highest rate, the lowest latency or CPU, of each pair on its own.
  const best = (pair, workload, metric) => {
    const values = (perf?.raw?.[pair] ?? [])
      .map((round) => round[workload]?.[metric])
      .filter(Number.isFinite);
    if (values.length === 0) return undefined;
    return metric === 'rate' ? Math.max(...values) : Math.min(...values);
  };
  const r = (pair, workload, metric) => ratioOf(get(pair, workload, metric), get(BASE, workload, metric));
  const rb = (pair, workload, metric) => ratioOf(best(pair, workload, metric), best(BASE, workload, metric));
  // The paired ratio of an arm: from the paired group it belongs to (besides the baseline).
  const rp = (pair, workload, metric) => {
    for (const group of Object.values(paired?.groups ?? {})) {
      if (group.arms.includes(pair) && pair !== BASE)
        return group.summary[workload]?.[pair]?.[`${metric}Ratio`];
    }
    return undefined;
  };
  const show = (value) => (value === undefined ? '–' : `${value.toFixed(2)}x`);
  const row = (label, parts, ok) => lines.push(`| ${label} | ${parts.join('; ')} | ${verdict(ok)} |`);
  const everyOne = (values, test) => (values.some((v) => v === undefined) ? undefined : values.every(test));
  // values: [[median ratio, best-round ratio, paired ratio], ...]
  const every = (values, test) =>
    [0, 1, 2].map((index) =>
      everyOne(
        values.map((v) => v[index]),
        test,
      ),
    );
  const both = (value) =>
    `${show(value[0])} (best ${show(value[1])}${value[2] === undefined ? '' : `; paired ${show(value[2])}`})`;
  const pairRatio = (pair, w, metric) => [r(pair, w, metric), rb(pair, w, metric), rp(pair, w, metric)];
  // The instruction count of a unary call (W4; section "Instructions per operation"), as a ratio
  // to grpc-js: shown beside the CPU targets, not part of their verdict.
  const instructionsNote = (pair, side) => {
    const value = instructions?.summary?.[pair]?.w4?.[side]?.median;
    const base = instructions?.summary?.[BASE]?.w4?.[side]?.median;
    return value && base ? [`instructions per W4 call ${show(value / base)}`] : [];
  };
  if (perf) {
    for (const [label, pair, side, limit] of [
      ['client CPU per unary call <= 1.0x (aio>grpcjs)', 'aio>grpcjs', 'client', 1.0],
      ['server CPU per call <= 1.05x (grpcjs>aio)', 'grpcjs>aio', 'server', 1.05],
    ]) {
      const values = ['w1', 'w4'].map((w) => pairRatio(pair, w, `${side}CpuPerOpUs`));
      row(
        label,
        [...['W1', 'W4'].map((w, i) => `${w} ${both(values[i])}`), ...instructionsNote(pair, side)],
        every(values, (v) => v <= limit),
      );
    }
    for (const w of ['w2', 'w5']) {
      const values = ['aio>aio', 'aio>grpcjs', 'grpcjs>aio'].map((pair) => pairRatio(pair, w, 'rate'));
      row(
        `${w.toUpperCase()} msgs/s >= 0.95x`,
        ['aio>aio', 'aio>grpcjs', 'grpcjs>aio'].map((p, i) => `${p} ${both(values[i])}`),
        every(values, (v) => v >= 0.95),
      );
    }
    for (const w of ['w3', 'w4']) {
      const values = ['aio>aio', 'aio>grpcjs', 'grpcjs>aio'].map((pair) => pairRatio(pair, w, 'p50'));
      row(
        `${w.toUpperCase()} p50 <= 1.05x`,
        ['aio>aio', 'aio>grpcjs', 'grpcjs>aio'].map((p, i) => `${p} ${both(values[i])}`),
        every(values, (v) => v <= 1.05),
      );
    }
    if (perf.summary['nice>nice'] && perf.summary['aio>aio']) {
      const parts = [];
      const oks = [];
      const bestOks = [];
      const ahead = (a, n, latency) =>
        (latency ? a.p50 <= n.p50 : a.rate >= n.rate) &&
        a.clientCpuPerOpUs + a.serverCpuPerOpUs <= n.clientCpuPerOpUs + n.serverCpuPerOpUs;
      const bestRow = (pair, w) =>
        Object.fromEntries(
          ['rate', 'p50', 'clientCpuPerOpUs', 'serverCpuPerOpUs'].map((m) => [m, best(pair, w, m)]),
        );
      for (const w of perf.workloads) {
        const a = perf.summary['aio>aio'][w];
        const n = perf.summary['nice>nice'][w];
        const latency = w === 'w3' || w === 'w4';
        const ok = ahead(a, n, latency);
        oks.push(ok);
        bestOks.push(ahead(bestRow('aio>aio', w), bestRow('nice>nice', w), latency));
        parts.push(
          `${ok ? '' : '**'}${w.toUpperCase()}${ok ? '' : '**'} ${latency ? `p50 ${fmt(a.p50, 3)} vs ${fmt(n.p50, 3)} ms` : `${fmt(a.rate)} vs ${fmt(n.rate)}/s`}, CPU ${fmt(a.clientCpuPerOpUs + a.serverCpuPerOpUs)} vs ${fmt(n.clientCpuPerOpUs + n.serverCpuPerOpUs)} µs/op`,
        );
      }
      const pairedGroup = Object.values(paired?.groups ?? {}).find(
        (group) => group.arms.includes('aio>aio') && group.arms.includes('nice>nice'),
      );
      // Paired: the median over rounds of each round's aio>aio / nice>nice ratio (the paired runs'
      // statistic everywhere else too), for rate or p50 and for client + server CPU per op.
      const pairedVsNice = perf.workloads.map((w) => {
        const rounds = pairedGroup?.raw?.[w] ?? [];
        const latency = w === 'w3' || w === 'w4';
        const metric = latency ? 'p50' : 'rate';
        const cpu = (arm) => arm.clientCpuPerOpUs + arm.serverCpuPerOpUs;
        const speed = rounds.map((round) =>
          ratioOf(round['aio>aio']?.[metric], round['nice>nice']?.[metric]),
        );
        const cost = rounds.map((round) =>
          round['aio>aio'] && round['nice>nice']
            ? ratioOf(cpu(round['aio>aio']), cpu(round['nice>nice']))
            : undefined,
        );
        const finite = (values) => values.filter(Number.isFinite);
        if (finite(speed).length === 0 || finite(cost).length === 0) return undefined;
        return { latency, speed: median(finite(speed)), cost: median(finite(cost)) };
      });
      const pairedOks = pairedVsNice.map((v) =>
        v === undefined ? undefined : (v.latency ? v.speed <= 1 : v.speed >= 1) && v.cost <= 1,
      );
      if (pairedGroup) {
        const behind = perf.workloads.filter((_, i) => pairedOks[i] === false).map((w) => w.toUpperCase());
        const shown = perf.workloads
          .map((w, i) => {
            const v = pairedVsNice[i];
            return v === undefined
              ? undefined
              : `${w.toUpperCase()} ${v.latency ? 'p50' : 'rate'} ${v.speed.toFixed(2)}x, CPU ${v.cost.toFixed(2)}x`;
          })
          .filter(Boolean);
        parts.push(
          `paired run (median of per-round aio>aio / nice>nice ratios): ${shown.join(', ')}: ${behind.length ? `behind on ${behind.join(', ')}` : 'ahead on every workload'}`,
        );
      }
      row(
        'ahead of nice-grpc on every workload (aio>aio vs nice>nice medians: rate or p50, and client+server CPU/op; bold = behind)',
        parts,
        [
          oks.every(Boolean),
          bestOks.every(Boolean),
          pairedGroup ? everyOne(pairedOks, (ok) => ok === true) : undefined,
        ],
      );
    }
  }
  if (memory) {
    const impls = memory.impls;
    row(
      `no heap growth beyond noise (${memory.config.firstCalls / 1000}k → ${memory.config.totalCalls / 1000}k unary calls, client and server, <= ${GROWTH_NOISE_MIB} MiB)`,
      impls.map(
        (impl) =>
          `${impl} client ${mib(memory.summary[impl].clientHeapGrowth)}, server ${mib(memory.summary[impl].serverHeapGrowth)} MiB`,
      ),
      memory.summary.aio
        ? Array(3).fill(
            Math.max(memory.summary.aio.clientHeapGrowth, memory.summary.aio.serverHeapGrowth) <=
              GROWTH_NOISE_MIB,
          )
        : undefined,
    );
  }
  lines.push('');
  return lines;
}

// Hand-written parts of BENCHMARKS.md (between these markers) survive regeneration.
const NOTES_START = '<!-- notes:start -->';
const NOTES_END = '<!-- notes:end -->';
function writeReport(print) {
  let notes = `${NOTES_START}\n## What the results mean\n\n(none yet)\n${NOTES_END}`;
  if (existsSync(out)) {
    const text = readFileSync(out, 'utf8');
    const from = text.indexOf(NOTES_START);
    const to = text.indexOf(NOTES_END);
    if (from >= 0 && to > from) notes = text.slice(from, to + NOTES_END.length);
  }

  const lines = ['# Benchmarks', ''];
  lines.push(
    'How grpc-aio performs next to raw `@grpc/grpc-js` (its callback API: `grpc.Client` + `Server.addService`) and `nice-grpc`. The grpc-aio client, grpc-js and nice-grpc run on grpc-js 1.14.7; the grpc-aio server runs on its own gRPC transport over `node:http2`. Pairs are **client>server**: `aio>grpcjs` isolates the grpc-aio client, `grpcjs>aio` the grpc-aio server. The tables are generated by `pnpm bench` (see [Reproducing](#reproducing)); [What the results mean](#what-the-results-mean), at the end, sums them up.',
    '',
    '## Method',
    '',
    '- One message type, `message Payload { bytes payload = 1; }` with a 100-byte payload, encoded by the same hand-written codec for every implementation (so codec cost is identical and negligible).',
    "- Client and server are separate Node processes on 127.0.0.1, forked per pair and round (fresh JIT and heap). Each workload warms up first; the client asks the orchestrator to snapshot the server's `process.cpuUsage()` right before and after the measured section, so **CPU per operation is reported for each process separately** (on a shared machine CPU/op is much steadier than throughput or latency).",
    '- Rounds are interleaved (round 1 runs the pairs in order, round 2 in reverse, ...) so slow drifts in machine load hit every pair alike; each figure is the **median over rounds**, and ratios compare against grpcjs>grpcjs of the same run. The Targets table also gives the ratio of the **best rounds** (highest rate, lowest p50/CPU of each pair): on a shared machine a round is either quiet or disturbed by other work (latency and even CPU/op double), and the best round is the least disturbed view of each pair.',
    '- **Paired runs** (their own section below) measure the same ratios a second way, with far less noise: every arm of a comparison in the same two processes, taking turns batch by batch. The Targets table gives their ratio as "paired" and says when a target is met there but not on the separate-process medians.',
    "- **Instruction counts** (`pnpm bench -- --instructions`, their own section): every pair once more with both processes under valgrind's callgrind, counting the instructions each executes per operation. The count does not move with the machine's load, so it settles differences of a few % that time cannot; it does not see cache misses, kernel time or waiting, so it cross-checks the CPU targets and does not replace the rates and latencies.",
    '- Workloads: W1 64 concurrent unary calls on one channel (calls/s = median of 1-s buckets, p50/p99 per call); W2 one server stream of N messages; W3 sequential ping-pongs on one bidi stream; W4 one unary call at a time; W5 one client stream of N messages. Streams honour backpressure on both sides (grpc-js: `write()` result + `drain`; grpc-aio: awaited `write()` and async generators; nice-grpc: async generators).',
    '',
    '**Machine.** Each section names the machine (cores, memory, Node version) and the load average before and after its run; a load near or above the number of cores means other work shared the machine. Absolute rates and latencies are then noisy and only indicative: compare ratios within one run, prefer CPU per operation over rates, and the paired ratios over the separate-process medians.',
    '',
    '## Reproducing',
    '',
    '`pnpm bench` builds what it needs, then runs the separate-process rounds, the paired runs, h2load and the memory measurements (about 16 minutes; never run two benchmarks at once). h2load is skipped, with a message, when `h2load` is not on PATH (Debian: `apt-get install nghttp2-client`). One part can run alone; the other sections of this file are kept:',
    '',
    '- `pnpm bench -- --quick`: smaller workloads and fewer rounds (about 5 minutes);',
    '- `pnpm bench -- --paired`, `-- --memory`, `-- --h2load`: only that part;',
    '- `pnpm bench -- --instructions`: only the instruction counts (needs valgrind; the slowest part, tens of minutes);',
    '- `pnpm bench -- --report`: runs nothing, rewrites this file from `BENCHMARKS.json`.',
    '',
    'packages/bench/README.md has every flag (pairs, workloads, rounds, `--out` to write elsewhere, A/B of two builds, CPU profiles) and how each part works.',
    '',
    '## Targets',
    '',
    'What grpc-aio aims for: no more CPU per unary call than raw grpc-js (client <= 1.0x, server <= 1.05x), stream rates and latencies within 5% of it, ahead of nice-grpc on every workload, no heap growth (the servers alone have targets of their own, in the h2load section). A ratio is the median of the separate-process rounds, "best" the ratio of the best rounds and "paired" the ratio of the paired runs (see Method); "met?" judges the medians and says when the paired run or the best rounds disagree.',
    '',
    ...targetsSection(perf, memory, paired, instructions),
    '## Results',
    '',
    ...(perf ? perfSection(perf) : ['(not run yet)', '']),
    '## Paired runs',
    '',
    ...(paired ? pairedSection(paired) : ['(not run yet)', '']),
    '## Memory',
    '',
    ...(memory ? memorySection(memory) : ['(not run yet)', '']),
    '## Instructions per operation (callgrind)',
    '',
    ...(instructions
      ? instructionsSection(instructions)
      : ['(not run yet: `pnpm bench -- --instructions`, needs valgrind)', '']),
    '## h2load: unary calls against the servers alone',
    '',
    ...(h2load ? h2loadSection(h2load) : ['(not run yet: `pnpm bench -- --h2load`, needs h2load)', '']),
    notes,
    '',
  );
  const markdown = `${lines.join('\n')}`;
  writeFileSync(out, markdown);
  writeFileSync(jsonPath, `${JSON.stringify({ perf, paired, memory, instructions, h2load }, null, 2)}\n`);
  if (print) process.stdout.write(markdown);
}

/** Runs `body`; a failure (e.g. a worker that could not start) is retried once after 5 s. */
async function retried(label, body) {
  try {
    return await body();
  } catch (error) {
    process.stderr.write(
      `  ${label} failed, retrying once: ${String(error?.message ?? error).split('\n')[0]}\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 5000));
    return await body();
  }
}
const loadNow = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');

// ---- run ---------------------------------------------------------------------------------------

const out = args.out ?? new URL('../../../BENCHMARKS.md', import.meta.url).pathname;
const jsonPath = args.json ?? out.replace(/\.md$/, '.json');
const previous = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : {};
const machine = {
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  node: process.version,
  pinned: pinCores !== undefined ? `client on core ${pinCores[0]}, server on core ${pinCores[1]}` : undefined,
};
const started = Date.now();
/** The head of each part's JSON record: mode, date, and the machine with its load before and after. */
const stamp = (loadBefore, extra = {}) => ({
  quick: Boolean(args.quick),
  date: new Date().toISOString(),
  machine: { ...machine, loadBefore, loadAfter: loadNow(), ...extra },
});

let perf = previous.perf;
let memory = previous.memory;
let paired = previous.paired;
let instructions = previous.instructions;
let h2load = previous.h2load;
if (runPerf) {
  const loadBefore = loadNow();
  const all = Object.fromEntries(pairs.map((pair) => [pair, []]));
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`round ${round}/${rounds}\n`);
    for (const pair of round % 2 ? pairs : [...pairs].reverse())
      all[pair].push(await retried(pair, () => runPair(pair, round)));
  }
  const metrics = ['rate', 'p50', 'p99', 'clientCpuPerOpUs', 'serverCpuPerOpUs'];
  const summary = {};
  for (const pair of pairs) {
    summary[pair] = {};
    for (const workload of workloadNames) {
      summary[pair][workload] = {};
      for (const metric of metrics) {
        const values = all[pair]
          .map((round) => round[workload]?.[metric])
          .filter((value) => Number.isFinite(value));
        summary[pair][workload][metric] = values.length ? median(values) : undefined;
      }
    }
  }
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  perf = {
    ...stamp(loadBefore, { minutes }),
    config,
    rounds,
    pairs,
    workloads: workloadNames,
    titles: workloadTitles,
    summary,
    raw: all,
  };
  writeReport(false); // keep these results even if the memory part fails
}

if (runPairedRuns) {
  const loadBefore = loadNow();
  const groups = {};
  for (const [name, arms] of Object.entries(PAIRED_GROUPS)) {
    process.stderr.write(`paired run: ${name} (${arms.join(', ')})\n`);
    const raw = await retried(`paired ${name}`, () => runPairedGroup(name, arms));
    groups[name] = { arms, summary: summarizePaired(arms, raw), raw };
  }
  paired = {
    ...stamp(loadBefore),
    config: pairedConfig,
    rounds: pairedRounds,
    workloads: workloadNames,
    groups,
  };
  writeReport(false);
}

if (runH2loadPart) {
  const version = h2loadVersion();
  if (version === undefined) {
    process.stderr.write(
      'h2load workload skipped: h2load is not on PATH (Debian: apt-get install nghttp2-client)\n',
    );
  } else {
    const loadBefore = loadNow();
    const bodyDir = mkdtempSync(join(tmpdir(), 'grpc-aio-bench-h2load-'));
    const bodyFile = join(bodyDir, 'request.bin');
    writeFileSync(bodyFile, REQUEST_BODY);
    const raw = [];
    try {
      for (let round = 1; round <= h2loadRounds; round++) {
        process.stderr.write(`h2load round ${round}/${h2loadRounds}\n`);
        const row = {};
        for (const name of round % 2 ? h2loadServers : [...h2loadServers].reverse())
          row[name] = await retried(`h2load ${name}`, () => runH2loadServer(name, round, bodyFile));
        raw.push(row);
      }
      const loads = Object.keys(H2LOAD_LOADS);
      h2load = {
        ...stamp(loadBefore),
        h2load: version,
        only: Boolean(args.h2load),
        config: h2loadConfig,
        rounds: h2loadRounds,
        servers: h2loadServers,
        loads,
        summary: summarizeH2load(raw, h2loadServers, loads),
        raw,
      };
      writeReport(false);
    } catch (error) {
      // The other parts go on; the report keeps the previous h2load figures.
      process.stderr.write(`h2load workload failed: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    } finally {
      rmSync(bodyDir, { recursive: true, force: true });
    }
  }
}

if (runInstructions) {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      '--instructions needs valgrind and callgrind_control on PATH (Debian: apt-get install valgrind)',
    );
  }
  const loadBefore = loadNow();
  const callgrindDir = mkdtempSync(join(tmpdir(), 'grpc-aio-bench-callgrind-'));
  const raw = {};
  try {
    for (const workload of instructionsWorkloads) {
      for (const pair of pairs) {
        raw[pair] ??= {};
        raw[pair][workload] = await retried(`instructions ${pair} ${workload}`, () =>
          runInstructionsWorkload(pair, workload, callgrindDir),
        );
      }
    }
  } finally {
    rmSync(callgrindDir, { recursive: true, force: true });
  }
  instructions = {
    ...stamp(loadBefore, { minutes: ((Date.now() - started) / 60000).toFixed(1) }),
    config: instructionsConfig,
    warmup: instructionsWarmup,
    rounds: instructionsRounds,
    pairs,
    workloads: instructionsWorkloads,
    summary: Object.fromEntries(
      Object.entries(raw).map(([pair, rows]) => [pair, summarizeInstructions(rows)]),
    ),
    raw,
  };
}

if (runMemory && memoryImpls.length > 0) {
  const loadBefore = loadNow();
  const all = Object.fromEntries(memoryImpls.map((impl) => [impl, []]));
  for (let round = 1; round <= memoryRounds; round++) {
    process.stderr.write(`memory round ${round}/${memoryRounds}\n`);
    for (const impl of round % 2 ? memoryImpls : [...memoryImpls].reverse())
      all[impl].push(await retried(`memory ${impl}`, () => runMemoryPair(impl)));
  }
  const summary = {};
  for (const impl of memoryImpls) {
    summary[impl] = {};
    for (const key of Object.keys(all[impl][0]))
      summary[impl][key] = median(all[impl].map((row) => row[key]));
  }
  memory = {
    ...stamp(loadBefore),
    config: memoryConfig,
    rounds: memoryRounds,
    impls: memoryImpls,
    summary,
    raw: all,
  };
}
writeReport(true);
