import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { insecureChannel } from 'grpc-aio';
import { afterEach, describe, expect, it } from 'vitest';
import { GreeterStub } from '../src/generated/helloworld.js';

const examples = fileURLToPath(new URL('..', import.meta.url));

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Resolves with the first match in the stdout to come, or rejects when the process ends first. */
function lineMatching(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${text}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    // 'close', not 'exit': the last output may still be on its way when the process exits.
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${pattern}: ${text}`));
    });
  });
}

// Everything the test started, killed in afterEach if the test did not stop it.
let started: { primary?: ChildProcess; workers: number[] } = { workers: [] };
afterEach(() => {
  if (started.primary?.exitCode === null) started.primary.kill('SIGKILL');
  for (const pid of started.workers) if (alive(pid)) process.kill(pid, 'SIGKILL');
  started = { workers: [] };
});

describe('cluster example', () => {
  it('serves one port from 2 workers: calls on separate connections reach both, SIGTERM stops all', async () => {
    const port = await freePort();
    const primary = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cluster.ts', '--workers', '2', '--port', String(port)],
      { cwd: examples, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    started.primary = primary;
    const exited = once(primary, 'exit');
    const [, pidList = ''] = await lineMatching(
      primary,
      /serving 127\.0\.0\.1:\d+ from 2 workers \(pids ([\d, ]+)\)/,
      20_000,
    );
    const pids = pidList.split(', ').map(Number);
    started.workers = pids;
    expect(pids).toHaveLength(2);

    // One channel per attempt, each with its own subchannel pool, so that each is a new connection
    // (round-robin hands connections, not calls, to the workers).
    const seen = new Set<number>();
    for (let attempt = 0; attempt < 20 && seen.size < 2; attempt++) {
      const channel = insecureChannel(`127.0.0.1:${port}`, {
        options: [['grpc.use_local_subchannel_pool', 1]],
      });
      try {
        const { message = '' } = await GreeterStub(channel).sayHello({ name: 'cluster' }, { timeout: 5 });
        seen.add(Number(/from pid (\d+)$/.exec(message)?.[1]));
      } finally {
        await channel.close();
      }
    }
    expect([...seen].sort()).toEqual([...pids].sort());

    const stopped = lineMatching(primary, /SIGTERM: stopped 2 workers/, 10_000);
    primary.kill('SIGTERM');
    await stopped;
    const [code] = await exited;
    expect(code).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 40_000);
});
