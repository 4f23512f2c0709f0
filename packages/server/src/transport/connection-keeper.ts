import { constants, type ServerHttp2Session } from 'node:http2';
import type { ChannelzSocket } from '../channelz.js';
import { LongTimer } from './long-timer.js';

// Connection management of the server transport, under C-core's channel-argument names and with its
// defaults (src/core/ext/transport/chttp2/transport/chttp2_transport.cc, ping_abuse_policy.cc,
// src/core/ext/filters/channel_idle/legacy_channel_idle_filter.cc).

/** The connection settings, in milliseconds (Infinity: never). */
export interface ConnectionSettings {
  /** `grpc.keepalive_time_ms`: how often the server pings (C-core's server default: 2 hours). */
  readonly keepaliveTimeMs: number;
  /** `grpc.keepalive_timeout_ms`: how long a ping may go unanswered (20 s) before the connection is closed. */
  readonly keepaliveTimeoutMs: number;
  /** `grpc.keepalive_permit_without_calls`: pings (both ways) are fine without calls in flight. */
  readonly keepalivePermitWithoutCalls: boolean;
  /** `grpc.http2.min_ping_interval_without_data_ms` (5 minutes): the client's pings may come this often. */
  readonly minPingIntervalWithoutDataMs: number;
  /** `grpc.http2.max_ping_strikes` (2): pings too soon tolerated before GOAWAY; 0 tolerates any number. */
  readonly maxPingStrikes: number;
  /** `grpc.max_connection_idle_ms`: a connection without calls this long gets a GOAWAY. */
  readonly maxConnectionIdleMs: number;
  /** `grpc.max_connection_age_ms`: a connection this old (±10%, as C-core) gets a GOAWAY. */
  readonly maxConnectionAgeMs: number;
  /** `grpc.max_connection_age_grace_ms`: then its calls have this long before it is closed. */
  readonly maxConnectionAgeGraceMs: number;
  /** `grpc.server_handshake_timeout_ms` (120 s): a connection must finish its TLS handshake and HTTP/2 preface in time. */
  readonly handshakeTimeoutMs: number;
}

/** C-core's defaults. */
export const DEFAULT_CONNECTION_SETTINGS: ConnectionSettings = Object.freeze({
  keepaliveTimeMs: 2 * 60 * 60 * 1000,
  keepaliveTimeoutMs: 20_000,
  keepalivePermitWithoutCalls: false,
  minPingIntervalWithoutDataMs: 5 * 60 * 1000,
  maxPingStrikes: 2,
  maxConnectionIdleMs: Number.POSITIVE_INFINITY,
  maxConnectionAgeMs: Number.POSITIVE_INFINITY,
  maxConnectionAgeGraceMs: Number.POSITIVE_INFINITY,
  handshakeTimeoutMs: 120_000,
});

/** The opaque data of the GOAWAY sent for ping abuse (C-core's, which grpc clients recognise). */
export const TOO_MANY_PINGS = 'too_many_pings';

// Pings on an idle connection without keepalive_permit_without_calls: once per 2 hours (C-core).
const IDLE_PING_INTERVAL_MS = 2 * 60 * 60 * 1000;

// Client resets (RST_STREAM) a connection may send in a burst before it is asked to go elsewhere,
// and how many come back per second. nghttp2 (inside Node) answers its 1,000th reset in a burst
// (33/s refill) with GOAWAY(INTERNAL_ERROR), which fails every other call of the connection with
// INTERNAL, and Node 20 cannot raise that limit. A connection that uses up this smaller budget
// gets a graceful GOAWAY instead: its calls in flight finish, new ones go to a new connection.
const RESET_BURST = 400;
const RESET_RATE_PER_SECOND = 33;

/** Keeps one connection within its settings: keepalive, ping abuse, idleness, age, reset bursts. */
export class ConnectionKeeper {
  readonly #session: ServerHttp2Session;
  readonly #settings: ConnectionSettings;
  readonly #channelz: ChannelzSocket | undefined;
  #streams = 0;
  #idleTimer: LongTimer | undefined;
  #ageTimer: LongTimer | undefined;
  #keepaliveTimer: LongTimer | undefined;
  #lastPingReceived = Number.NEGATIVE_INFINITY;
  #pingStrikes = 0;
  #resetTokens = RESET_BURST;
  #resetRefilledAt = Date.now();
  #draining = false;

  constructor(
    session: ServerHttp2Session,
    settings: ConnectionSettings,
    channelz: ChannelzSocket | undefined,
  ) {
    this.#session = session;
    this.#settings = settings;
    this.#channelz = channelz;
    session.on('ping', () => this.#onPing());
    session.once('close', () => this.#stopTimers());
    this.#idle();
    if (Number.isFinite(settings.maxConnectionAgeMs)) {
      const jitter = 0.9 + Math.random() * 0.2;
      this.#ageTimer = LongTimer.after(settings.maxConnectionAgeMs * jitter, () => this.#tooOld());
    }
    this.#scheduleKeepalive();
  }

  /** A call started on this connection. */
  streamStarted(): void {
    if (this.#streams++ === 0 && this.#idleTimer !== undefined) {
      this.#idleTimer.cancel();
      this.#idleTimer = undefined;
    }
  }

  /** A call ended; `resetByClient` when the client reset it. */
  streamEnded(resetByClient: boolean): void {
    if (--this.#streams === 0) this.#idle();
    if (resetByClient) this.#onClientReset();
  }

  /** The server sent headers or data: ping strikes start over (C-core's ResetPingStrikes). */
  sent(): void {
    this.#lastPingReceived = Number.NEGATIVE_INFINITY;
    this.#pingStrikes = 0;
  }

  #stopTimers(): void {
    this.#idleTimer?.cancel();
    this.#ageTimer?.cancel();
    this.#keepaliveTimer?.cancel();
  }

  #idle(): void {
    if (this.#streams === 0 && !this.#draining) {
      this.#idleTimer = LongTimer.after(this.#settings.maxConnectionIdleMs, () => this.#drain());
    }
  }

  /** GOAWAY(NO_ERROR): calls in flight finish, the client opens a new connection for new ones. */
  #drain(): void {
    if (this.#draining || this.#session.closed || this.#session.destroyed) return;
    this.#draining = true;
    this.#session.close();
  }

  #tooOld(): void {
    this.#drain();
    const grace = LongTimer.after(this.#settings.maxConnectionAgeGraceMs, () => this.#session.destroy());
    if (grace !== undefined) this.#session.once('close', () => grace.cancel());
  }

  #scheduleKeepalive(): void {
    this.#keepaliveTimer = LongTimer.after(this.#settings.keepaliveTimeMs, () => this.#keepalive());
  }

  #keepalive(): void {
    const session = this.#session;
    if (session.closed || session.destroyed) return;
    if (this.#streams === 0 && !this.#settings.keepalivePermitWithoutCalls) {
      this.#scheduleKeepalive();
      return;
    }
    const deadline = LongTimer.after(this.#settings.keepaliveTimeoutMs, () => session.destroy());
    let sent = false;
    try {
      sent = session.ping((error) => {
        deadline?.cancel();
        if (error == null) this.#scheduleKeepalive();
      });
    } catch {
      // The session went away between the check above and the ping: nothing to keep alive.
    }
    if (!sent) deadline?.cancel();
    else if (this.#channelz !== undefined) this.#channelz.keepAlivesSent++;
  }

  #onPing(): void {
    const now = Date.now();
    const interval =
      this.#streams === 0 && !this.#settings.keepalivePermitWithoutCalls
        ? IDLE_PING_INTERVAL_MS
        : this.#settings.minPingIntervalWithoutDataMs;
    const nextAllowed = this.#lastPingReceived + interval;
    this.#lastPingReceived = now;
    if (nextAllowed <= now) return;
    this.#pingStrikes++;
    const max = this.#settings.maxPingStrikes;
    if (max !== 0 && this.#pingStrikes > max) {
      const session = this.#session;
      session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, Buffer.from(TOO_MANY_PINGS));
      setImmediate(() => session.destroy());
    }
  }

  #onClientReset(): void {
    const now = Date.now();
    this.#resetTokens = Math.min(
      RESET_BURST,
      this.#resetTokens + ((now - this.#resetRefilledAt) / 1000) * RESET_RATE_PER_SECOND,
    );
    this.#resetRefilledAt = now;
    if (--this.#resetTokens < 1) this.#drain();
  }
}
