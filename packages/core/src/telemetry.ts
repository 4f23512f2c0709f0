import type { Metadata } from '@grpc-aio/metadata';
import type { StatusCode } from './enums.js';

// The telemetry seam: how channels and servers report calls to an observability plugin (metrics,
// traces) without knowing it. A channel or server asks its telemetry (its own, else the global one)
// for a per-call recorder when a call starts; with no telemetry anywhere that is one `undefined`
// check per call, and nothing else runs.

/**
 * Records one attempt of a client call: one RPC on the wire. Made by
 * {@link ClientCallTelemetry.attempt}; the channel calls its methods in this order:
 * `onAttemptStart` once, `onSent`/`onReceived` per message, `onAttemptEnd` once.
 */
export interface ClientAttemptTelemetry {
  /**
   * The attempt starts: its request headers are about to be sent.
   * @param metadata the request metadata (may be read-only; never modify it).
   * @returns the metadata to send: `metadata` itself, or a copy with entries added (trace context).
   */
  onAttemptStart(metadata: Metadata): Metadata;
  /**
   * One request message was handed to the transport.
   * @param bytes its size: serialized, not compressed (grpc-js compresses below the point where
   *   the size is known).
   */
  onSent(bytes: number): void;
  /**
   * One response message was received.
   * @param bytes its size as the transport hands it over (grpc-js: after decompression).
   */
  onReceived(bytes: number): void;
  /**
   * The attempt ended with this status.
   * @param details the status details ('' for none).
   */
  onAttemptEnd(code: StatusCode, details: string): void;
}

/**
 * Records one client call as the application made it. Made by {@link CallTelemetry.clientCall}
 * when the application calls a multi-callable (before its client interceptors run); each RPC the
 * call makes on the channel (one, or one per retry an interceptor makes) is an attempt. The
 * channel or the interceptor chain calls `onCallEnd` once, with the status the application sees.
 */
export interface ClientCallTelemetry {
  /** An attempt of this call starts on the channel: its recorder. */
  attempt(): ClientAttemptTelemetry;
  /**
   * The call ended with this status (the status the application sees).
   * @param details the status details ('' for none).
   */
  onCallEnd(code: StatusCode, details: string): void;
}

/**
 * The call options key under which an interceptor chain hands its call's recorder to the channel
 * beneath, so that the channel's RPC is recorded as an attempt of that call. For channel and
 * interceptor implementations.
 */
export const CALL_TELEMETRY: unique symbol = Symbol.for('grpc-aio.callTelemetry') as never;

/**
 * The method of a channel that makes the recorder of a new call (undefined when no telemetry is
 * set or registered): an interceptor chain asks the channel it wraps when the application makes
 * a call. For channel and interceptor implementations.
 */
export const CHANNEL_TELEMETRY: unique symbol = Symbol.for('grpc-aio.channelTelemetry') as never;

/** A channel that can make call recorders ({@link CHANNEL_TELEMETRY}). */
export interface TelemetryChannel {
  [CHANNEL_TELEMETRY]?(method: string): ClientCallTelemetry | undefined;
}

/**
 * Records one call on a server. Made by {@link CallTelemetry.serverCall} once the transport has
 * the call's request headers; `onEnd` comes once, when the transport sends the status (or the
 * call is cut off).
 */
export interface ServerCallTelemetry {
  /**
   * One request message arrived.
   * @param bytes its size on the wire: compressed when the client compressed it, without the
   *   5-byte gRPC message header.
   */
  onReceived(bytes: number): void;
  /**
   * One response message was framed for the wire.
   * @param bytes its size on the wire: compressed when the server compresses it, without the
   *   5-byte gRPC message header.
   */
  onSent(bytes: number): void;
  /** The call ended with this status on the wire (CANCELLED when the client cut it off). */
  onEnd(code: StatusCode, details: string): void;
  /**
   * Runs `fn` (the lookup through the interceptors, then the handler) in the context of this call,
   * so that what the handler records (its spans) belongs to the call. Optional.
   */
  run?<R>(fn: () => R): R;
}

/** What a channel tells its telemetry about a new call. */
export interface ClientCallInfo {
  /** The method path, `'/package.Service/Method'`. */
  readonly method: string;
  /** The channel's target as the application gave it (`'localhost:50051'`, `'dns:///host:443'`). */
  readonly target: string;
}

/** What a server tells its telemetry about a new call. */
export interface ServerCallInfo {
  /** The method path as the client sent it, `'/package.Service/Method'`. */
  readonly method: string;
  /**
   * True when the server has a registered handler for `method` (`addRegisteredMethodHandlers`);
   * false for a method only generic handlers may serve, or that the server does not know.
   */
  readonly registered: boolean;
  /** The request metadata (read on demand: parsing it has a cost). */
  metadata(): Metadata;
}

/**
 * A source of per-call telemetry: an observability plugin implements it. Given to a channel
 * (`insecureChannel(target, { telemetry })`) or a server (`server({ telemetry })`), or registered
 * for every channel and server with {@link registerTelemetry}. A factory that returns undefined
 * records nothing for that call.
 */
export interface CallTelemetry {
  /** A recorder for a new client call, or undefined. */
  clientCall?(info: ClientCallInfo): ClientCallTelemetry | undefined;
  /** A recorder for a new server call, or undefined. */
  serverCall?(info: ServerCallInfo): ServerCallTelemetry | undefined;
}

/** The global registry, shared by every copy of this module (ESM and CJS builds, nested installs). */
interface TelemetryRegistry {
  /** The registered telemetries, in registration order. */
  list: CallTelemetry[];
  /** What channels and servers use: undefined, the one registered, or a fan-out over them. */
  current: CallTelemetry | undefined;
}

const REGISTRY_KEY = Symbol.for('grpc-aio.telemetry');
const registry: TelemetryRegistry = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] ??= {
  list: [],
  current: undefined,
}) as TelemetryRegistry;

/**
 * Registers `telemetry` for every channel and server: while it is registered, their calls report
 * to it (a channel or server given its own `telemetry` option uses that instead). Registering the
 * same object twice has no further effect.
 * @throws TypeError when `telemetry` has neither `clientCall` nor `serverCall`.
 */
export function registerTelemetry(telemetry: CallTelemetry): void {
  if (
    typeof telemetry !== 'object' ||
    telemetry === null ||
    (typeof telemetry.clientCall !== 'function' && typeof telemetry.serverCall !== 'function')
  ) {
    throw new TypeError('registerTelemetry() needs an object with clientCall() or serverCall().');
  }
  if (registry.list.includes(telemetry)) return;
  registry.list.push(telemetry);
  registry.current = combineTelemetry(registry.list);
}

/**
 * Undoes {@link registerTelemetry}: calls that start from now on no longer report to `telemetry`.
 * @returns false when it was not registered.
 */
export function deregisterTelemetry(telemetry: CallTelemetry): boolean {
  const index = registry.list.indexOf(telemetry);
  if (index < 0) return false;
  registry.list.splice(index, 1);
  registry.current = combineTelemetry(registry.list);
  return true;
}

/**
 * The telemetry channels and servers use when they have none of their own: undefined when none is
 * registered. For channel and server implementations; read it once per call.
 */
export function globalTelemetry(): CallTelemetry | undefined {
  return registry.current;
}

/**
 * Checks the `telemetry` option of a channel or server.
 * @throws TypeError when it is not a {@link CallTelemetry}.
 */
export function checkTelemetry(what: string, telemetry: unknown): CallTelemetry | undefined {
  if (telemetry == null) return undefined;
  const candidate = telemetry as CallTelemetry;
  if (
    typeof candidate !== 'object' ||
    (typeof candidate.clientCall !== 'function' && typeof candidate.serverCall !== 'function')
  ) {
    throw new TypeError(
      `${what} option telemetry must be a CallTelemetry (such as an OpenTelemetryPlugin), got ${typeof telemetry}.`,
    );
  }
  return candidate;
}

/** One telemetry for several: each call reports to every one of them. */
function combineTelemetry(list: readonly CallTelemetry[]): CallTelemetry | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const all = [...list];
  return {
    clientCall(info) {
      const recorders: ClientCallTelemetry[] = [];
      for (const telemetry of all) {
        const recorder = telemetry.clientCall?.(info);
        if (recorder !== undefined) recorders.push(recorder);
      }
      if (recorders.length <= 1) return recorders[0];
      return {
        attempt: () => combineAttempts(recorders.map((recorder) => recorder.attempt())),
        onCallEnd: (code, details) => {
          for (const recorder of recorders) recorder.onCallEnd(code, details);
        },
      };
    },
    serverCall(info) {
      const recorders: ServerCallTelemetry[] = [];
      for (const telemetry of all) {
        const recorder = telemetry.serverCall?.(info);
        if (recorder !== undefined) recorders.push(recorder);
      }
      if (recorders.length <= 1) return recorders[0];
      return {
        onReceived: (bytes) => {
          for (const recorder of recorders) recorder.onReceived(bytes);
        },
        onSent: (bytes) => {
          for (const recorder of recorders) recorder.onSent(bytes);
        },
        onEnd: (code, details) => {
          for (const recorder of recorders) recorder.onEnd(code, details);
        },
        run: <R>(fn: () => R): R =>
          recorders.reduceRight<() => R>(
            (inner, recorder) => (recorder.run === undefined ? inner : () => recorder.run!(inner)),
            fn,
          )(),
      };
    },
  };
}

/** One attempt recorder for several. */
function combineAttempts(attempts: readonly ClientAttemptTelemetry[]): ClientAttemptTelemetry {
  return {
    onAttemptStart: (metadata) => {
      let sent = metadata;
      for (const attempt of attempts) sent = attempt.onAttemptStart(sent);
      return sent;
    },
    onSent: (bytes) => {
      for (const attempt of attempts) attempt.onSent(bytes);
    },
    onReceived: (bytes) => {
      for (const attempt of attempts) attempt.onReceived(bytes);
    },
    onAttemptEnd: (code, details) => {
      for (const attempt of attempts) attempt.onAttemptEnd(code, details);
    },
  };
}

/**
 * The internal hook by which a call tells its end to the machinery above it (an interceptor
 * chain's telemetry), synchronously with its status and before its done callbacks, whatever those
 * do. For the call objects of the grpc-aio packages.
 */
export const CALL_END: unique symbol = Symbol.for('grpc-aio.callEnd') as never;

/** A call that reports its end through {@link CALL_END}. */
export interface EndReporting {
  /** Runs `listener` with the call's final code and details when it ends (at once if it has). */
  [CALL_END](listener: (code: StatusCode, details: string) => void): void;
}

/** True when `call` reports its end through {@link CALL_END}. */
export function reportsEnd(call: unknown): call is EndReporting {
  return typeof (call as Partial<EndReporting> | null)?.[CALL_END] === 'function';
}
