import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ClientChannel } from '@grpc-aio/channel';
import { insecureChannel, secureChannel, sslChannelCredentials } from '@grpc-aio/channel';
import { ChannelConnectivity, type ChannelOption, StatusCode, statusCodeName } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { checkHealth } from './health-client.js';
import { SERVICE_NAME, ServingStatus, servingStatusName } from './health-proto.js';

/** Exit codes, as grpc_health_probe's. */
export const ProbeExit = Object.freeze({
  SERVING: 0,
  INVALID_ARGUMENTS: 1,
  CONNECTION_FAILURE: 2,
  RPC_FAILURE: 3,
  UNHEALTHY: 4,
} as const);

const USAGE = `usage: grpc-aio-health-probe --addr HOST:PORT [options]
  --addr HOST:PORT          server address (required)
  --service NAME            service to check (default: '' = the whole server)
  --timeout DURATION        bound of the connection and of the check, each: seconds,
                            or 250ms / 2s / 1m (default: 1)
  --tls                     connect with TLS
  --tls-ca-cert FILE        CA certificate to verify the server with (implies --tls)
  --tls-client-cert FILE    client certificate for mTLS (with --tls-client-key)
  --tls-client-key FILE     client private key for mTLS
  --tls-server-name NAME    server name to verify instead of HOST
  --rpc-header KEY:VALUE    metadata to send (repeatable)
  -h, --help                this text
Flags may also be written with one dash (-addr=:5000), as grpc_health_probe's.
Exit codes: 0 SERVING, 1 bad arguments, 2 connection failure, 3 RPC failure, 4 not SERVING.`;

/** Where the probe writes; the CLI passes the process streams. */
export interface ProbeIO {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/**
 * Runs the health probe with command-line arguments (without `node` and the script name) and
 * returns the exit code. Never throws.
 */
export async function runHealthProbe(argv: readonly string[], io: ProbeIO): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n${USAGE}`);
    return ProbeExit.INVALID_ARGUMENTS;
  }
  if (values.help) {
    io.stdout(USAGE);
    return ProbeExit.SERVING;
  }
  // grpc_health_probe (Go) dials ':5000' on the local host; grpc-js needs a host.
  const address = values.addr?.startsWith(':') ? `localhost${values.addr}` : values.addr;
  const timeout = values.timeout === undefined ? 1 : parseSeconds(values.timeout);
  if (!address) {
    io.stderr(`error: --addr is required\n${USAGE}`);
    return ProbeExit.INVALID_ARGUMENTS;
  }
  if (!(timeout > 0) || timeout > MAX_TIMEOUT) {
    io.stderr(
      `error: --timeout must be a positive duration (seconds, or 250ms/2s/1m), got ${JSON.stringify(values.timeout)}`,
    );
    return ProbeExit.INVALID_ARGUMENTS;
  }
  if (Boolean(values['tls-client-cert']) !== Boolean(values['tls-client-key'])) {
    io.stderr('error: --tls-client-cert and --tls-client-key go together');
    return ProbeExit.INVALID_ARGUMENTS;
  }
  const pairs: [string, string][] = [];
  for (const header of values['rpc-header'] ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) {
      io.stderr(`error: --rpc-header must be KEY:VALUE, got ${JSON.stringify(header)}`);
      return ProbeExit.INVALID_ARGUMENTS;
    }
    // HTTP/2 header names are lower case; grpc_health_probe users write `Authorization: ...`.
    pairs.push([header.slice(0, colon).trim().toLowerCase(), header.slice(colon + 1).trim()]);
  }
  let metadata: Metadata;
  try {
    metadata = new Metadata(...pairs);
  } catch (error) {
    io.stderr(`error: --rpc-header: ${(error as Error).message}`);
    return ProbeExit.INVALID_ARGUMENTS;
  }

  let channel: ClientChannel;
  try {
    const options: ChannelOption[] = [];
    if (values['tls-server-name']) options.push(['grpc.ssl_target_name_override', values['tls-server-name']]);
    const tls = values.tls || values['tls-ca-cert'] !== undefined || values['tls-client-cert'] !== undefined;
    channel = tls
      ? secureChannel(
          address,
          sslChannelCredentials(
            values['tls-ca-cert'] ? readFileSync(values['tls-ca-cert']) : null,
            values['tls-client-key'] ? readFileSync(values['tls-client-key']) : null,
            values['tls-client-cert'] ? readFileSync(values['tls-client-cert']) : null,
          ),
          { options },
        )
      : insecureChannel(address, { options });
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}`);
    return ProbeExit.INVALID_ARGUMENTS;
  }

  // grpc-js unrefs its sockets and AbortSignal.timeout its timer: without a handle of our own, a
  // process with nothing else to do would exit (with code 0) in the middle of the probe.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const connected = await channel.channelReady({ signal: AbortSignal.timeout(timeout * 1000) }).then(
      () => true,
      () => false,
    );
    // A channel in TRANSIENT_FAILURE fails the Check below at once with UNAVAILABLE and the reason
    // (refused, TLS verification...); one still CONNECTING has said nothing we could report.
    if (!connected && channel.getState(false) !== ChannelConnectivity.TRANSIENT_FAILURE) {
      io.stderr(`timeout: failed to connect service "${address}" within ${timeout}s`);
      return ProbeExit.CONNECTION_FAILURE;
    }
    let status: ServingStatus;
    try {
      status = await checkHealth(channel, values.service ?? '', { timeout, metadata });
    } catch (error) {
      if (error instanceof AioRpcError) {
        const code = statusCodeName(error.code()) ?? String(error.code());
        const detail = error.details() ? `: ${error.details()}` : '';
        if (error.code() === StatusCode.UNAVAILABLE) {
          io.stderr(`error: failed to connect service "${address}" (${code}${detail})`);
          return ProbeExit.CONNECTION_FAILURE;
        }
        if (error.code() === StatusCode.UNIMPLEMENTED) {
          io.stderr(
            `error: this server does not implement the grpc health protocol (${SERVICE_NAME}): ${code}${detail}`,
          );
          return ProbeExit.RPC_FAILURE;
        }
        if (error.code() === StatusCode.DEADLINE_EXCEEDED) {
          io.stderr(`timeout: health rpc did not complete within ${timeout}s`);
          return ProbeExit.RPC_FAILURE;
        }
        io.stderr(`error: health rpc failed: ${code}${detail}`);
        return ProbeExit.RPC_FAILURE;
      }
      io.stderr(`error: health rpc failed: ${(error as Error).message}`);
      return ProbeExit.RPC_FAILURE;
    }
    if (status !== ServingStatus.SERVING) {
      io.stderr(`service unhealthy (responded with "${servingStatusName(status)}")`);
      return ProbeExit.UNHEALTHY;
    }
    io.stdout('status: SERVING');
    return ProbeExit.SERVING;
  } finally {
    clearInterval(keepAlive);
    await channel.close();
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: argv.map(oneDashToTwo),
    strict: true,
    allowPositionals: false,
    options: OPTIONS,
  });
}

const OPTIONS = {
  addr: { type: 'string' },
  service: { type: 'string' },
  timeout: { type: 'string' },
  tls: { type: 'boolean' },
  'tls-ca-cert': { type: 'string' },
  'tls-client-cert': { type: 'string' },
  'tls-client-key': { type: 'string' },
  'tls-server-name': { type: 'string' },
  'rpc-header': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The longest --timeout: what a Node timer can wait. */
const MAX_TIMEOUT = (2 ** 31 - 1) / 1000;

/** '1.5' and '1.5s' are seconds, '250ms' milliseconds, '1m' a minute (a subset of Go's durations); NaN otherwise. */
function parseSeconds(text: string): number {
  const match = /^(\d+(?:\.\d*)?|\.\d+)(ms|s|m)?$/.exec(text.trim());
  if (match === null) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'ms' ? value / 1000 : match[2] === 'm' ? value * 60 : value;
}

/**
 * `-addr=x` -> `--addr=x`: Go's flag package (grpc_health_probe) takes long flags with one dash.
 * Safe for values: a value that starts with a dash must be given as `--flag=-value` anyway.
 */
function oneDashToTwo(arg: string): string {
  return /^-[a-z][a-z-]+(=|$)/.test(arg) ? `-${arg}` : arg;
}
