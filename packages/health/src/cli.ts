#!/usr/bin/env node
// grpc-aio-health-probe: exits 0 when the server reports SERVING (see --help).
import { ProbeExit, runHealthProbe } from './probe.js';

runHealthProbe(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // runHealthProbe reports every failure itself; this is for a bug in it.
    process.stderr.write(
      `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = ProbeExit.RPC_FAILURE;
  },
);
