// Child-process peers: spawn, wait for the "PORT <n>" line, kill (always, even on failure).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** /usr/bin/python3 (Debian's python3-grpcio is installed for it). */
const PYTHON = '/usr/bin/python3';
/** packages/interop/python. */
const PYTHON_DIR = fileURLToPath(new URL('../python/', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../', import.meta.url));

/** Why Python peers cannot run here, or undefined when they can. */
export function pythonUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import grpc, grpc.aio, google.protobuf'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found (${probe.error.message})`;
  if (probe.status !== 0)
    return `${PYTHON} lacks grpcio/protobuf (apt-get install python3-grpcio python3-protobuf)`;
  return undefined;
}

/** A running child peer. */
export interface Peer {
  process: ChildProcess;
  port: number;
  /** Everything the child wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Kills the child (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => killAllPeers());

/** SIGKILLs every child this module started that is still running (for afterAll hooks). */
export function killAllPeers(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function start(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = 10_000,
  ready = /PORT (\d+)/,
): Promise<Peer> {
  // stdin stays open as a lifeline: the peers exit when it closes, so even a test worker that is
  // killed outright (no 'exit' event, no afterAll) leaves no peer behind.
  const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  const peer = (port: number): Peer => ({
    process: child,
    port,
    stderr: () => err,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  });
  return new Promise<Peer>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} printed no port within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(peer(Number(match[1] ?? 0)));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before printing its port: ${err}`));
    });
  });
}

/** Starts the Python grpc.aio interop server on 127.0.0.1:`port`. */
export function startPythonServer(port = 0): Promise<Peer> {
  return startPythonPeer(['server.py', String(port)]);
}

/** Starts a Python script of python/ that prints `PORT <n>` once it serves (`args`: the script and its arguments). */
export function startPythonPeer(args: string[]): Promise<Peer> {
  return start(PYTHON, ['-B', ...args], PYTHON_DIR);
}

/** Starts peers/grpcjs-stream-server.mjs (raw grpc-js, bytes methods) in a child node process. */
export function startGrpcJsStreamServer(port = 0): Promise<Peer> {
  return start(process.execPath, [`${PACKAGE_DIR}peers/grpcjs-stream-server.mjs`, String(port)], PACKAGE_DIR);
}

/**
 * Starts peers/grpcjs-stream-client.mjs: a raw grpc-js client holding a bidi stream open on
 * 127.0.0.1:`port` `method`; resolves once its first response arrived (port is 0 then).
 */
export function startGrpcJsStreamClient(port: number, method: string): Promise<Peer> {
  return start(
    process.execPath,
    [`${PACKAGE_DIR}peers/grpcjs-stream-client.mjs`, String(port), method],
    PACKAGE_DIR,
    10_000,
    /STARTED/,
  );
}

/** One line of the Python client's report. */
export interface CaseResult {
  case: string;
  ok: boolean;
  error?: string;
}

/** Runs the Python interop client against 127.0.0.1:`port`; resolves to its per-case results. */
export async function runPythonClient(port: number, timeoutMs = 60_000): Promise<CaseResult[]> {
  const { stdout } = await runPython(['client.py', String(port)], timeoutMs);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CaseResult);
}

/**
 * Runs a Python script of python/ to its end (`-B`: no __pycache__ left in the tree) (bounded: killed after `timeoutMs`); rejects if it
 * exits non-zero.
 */
export function runPython(args: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-B', ...args], {
      cwd: PYTHON_DIR,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // 'close', not 'exit': stdout may still hold unread output when the process exits.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      if (code !== 0)
        return reject(new Error(`python ${args.join(' ')} exited ${code ?? signal}: ${err}\n${out}`));
      resolve({ stdout: out, stderr: err });
    });
  });
}
