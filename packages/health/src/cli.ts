#!/usr/bin/env node
// grpc-aio-health-probe: exits 0 when the server reports SERVING (see --help).
import { ProbeExit, runHealthProbe } from './probe.js';

// Silenced at its source: probing an IP address over TLS (`--addr 10.0.0.5:443`), grpc-js passes the
// IP as the TLS server name, and Node prints DEP0123 ("Setting the TLS ServerName to an IP address is
// not permitted by RFC 6066"), a warning about grpc-js's internals that a probe's user cannot act on
// (the certificate is still checked against the IP). Every other warning is printed as usual.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((...args: unknown[]) => {
  const [, typeOrOptions, code] = args;
  const warningCode =
    typeof typeOrOptions === 'object' && typeOrOptions !== null
      ? (typeOrOptions as { code?: unknown }).code
      : code;
  if (warningCode === 'DEP0123') return;
  emitWarning(...args);
}) as typeof process.emitWarning;

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
