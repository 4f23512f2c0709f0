import { Metadata } from '@grpc-aio/metadata';
import type { PeerAuth } from './auth-context.js';
import type { ServerCallTransport } from './server-call-transport.js';

// The part of the ServicerContext that describes the call: who the peer is, how it is secured,
// what it sent as metadata, how long it has left.

let receive: (info: CallInfo, metadata: Metadata | (() => Metadata)) => void;

/** Gives `info` the client's metadata, or a function that makes it when first asked. */
export function receiveInvocationMetadata(info: CallInfo, metadata: Metadata | (() => Metadata)): void {
  receive(info, metadata);
}

/** What a {@link ServicerContext} tells about its call, from the call's transport. */
export abstract class CallInfo {
  readonly #call: ServerCallTransport;
  readonly #now: (() => number) | undefined;
  #metadataSource: (() => Metadata) | undefined;
  #metadata: Metadata | undefined;
  #auth: PeerAuth | undefined;

  static {
    receive = (info, metadata) => {
      if (typeof metadata === 'function') info.#metadataSource = metadata;
      else info.#metadata = metadata;
    };
  }

  /** @param now the clock of deadlines, in ms since the epoch (default `Date.now()`). */
  constructor(call: ServerCallTransport, now: (() => number) | undefined) {
    this.#call = call;
    this.#now = now;
  }

  invocationMetadata(): Metadata {
    if (this.#metadata === undefined) {
      this.#metadata = this.#metadataSource?.() ?? new Metadata();
      this.#metadataSource = undefined;
    }
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
    return Math.max(0, (deadline - (this.#now?.() ?? Date.now())) / 1000);
  }
}
