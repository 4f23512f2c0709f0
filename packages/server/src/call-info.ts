import { type Clock, systemClock } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import type { PeerAuth } from './auth-context.js';
import type { ServerCallTransport } from './server-call-transport.js';

// The part of the ServicerContext that describes the call: who the peer is, how it is secured,
// what it sent as metadata, how long it has left.

/** What a {@link ServicerContext} tells about its call, from the call's transport. */
export abstract class CallInfo {
  readonly #call: ServerCallTransport;
  readonly #clock: Clock;
  #metadata: Metadata | undefined;
  #auth: PeerAuth | undefined;

  /** @param clock the clock of deadlines (default: the system clock). */
  constructor(call: ServerCallTransport, clock: Clock | undefined) {
    this.#call = call;
    this.#clock = clock ?? systemClock;
  }

  invocationMetadata(): Metadata {
    this.#metadata ??= this.#call.getRequestMetadata();
    return this.#metadata;
  }

  peer(): string {
    return this.#call.getPeer();
  }

  #peerAuth(): PeerAuth {
    this.#auth ??= this.#call.getPeerAuth();
    return this.#auth;
  }

  peerIdentities(): Uint8Array[] | undefined {
    const { context, identityKey } = this.#peerAuth();
    return identityKey === undefined ? undefined : context[identityKey];
  }

  peerIdentityKey(): string | undefined {
    return this.#peerAuth().identityKey;
  }

  authContext(): Record<string, Uint8Array[]> {
    const { context } = this.#peerAuth();
    return Object.fromEntries(Object.entries(context).map(([key, values]) => [key, [...values]]));
  }

  timeRemaining(): number | undefined {
    const deadline = this.#call.getDeadline();
    if (!Number.isFinite(deadline)) return undefined;
    return Math.max(0, (deadline - this.#clock.now()) / 1000);
  }
}
