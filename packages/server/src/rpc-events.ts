import type { CallInfo } from './call-info.js';
import {
  CANCELLED_BY_CLIENT,
  CANCELLED_BY_DEADLINE,
  CANCELLED_BY_RUNTIME,
  HANDLER_ABANDONED_WARNING_CODE,
} from './messages.js';
import type { CancelReason } from './server-call-transport.js';

// How a transport drives a ServerRpc. ServerRpc installs the handlers once (from its static block,
// with access to its private members), so that no per-call closures are needed.

// Typed over CallInfo here (ServerRpc's base) so that this module does not import ServerRpc;
// server-rpc.ts exports the same object typed over ServerRpc.
interface RpcEventHandlers {
  message(rpc: CallInfo, message: Buffer): void;
  halfClose(rpc: CallInfo): void;
  cancel(rpc: CallInfo, reason: CancelReason): void;
}

/** The events a transport feeds its RPC. */
export interface RpcEvents<Rpc> {
  /** One request message, answering a `startRead()`. */
  readonly message: (rpc: Rpc, message: Buffer) => void;
  /** The end of the requests, answering a `startRead()`. */
  readonly halfClose: (rpc: Rpc) => void;
  /** The call ended other than by the server's status; the transport told the client already. */
  readonly cancel: (rpc: Rpc, reason: CancelReason) => void;
}

let handlers: RpcEventHandlers;

/** For ServerRpc only. */
export function installRpcEventHandlers(installed: RpcEventHandlers): void {
  handlers = installed;
}

/** The reason (`context.signal.reason` message) of each way a transport ends an RPC. */
export const CANCEL_MESSAGES: Readonly<Record<CancelReason, string>> = {
  client: CANCELLED_BY_CLIENT,
  deadline: CANCELLED_BY_DEADLINE,
  runtime: CANCELLED_BY_RUNTIME,
};

export const rpcEvents: RpcEvents<CallInfo> = Object.freeze({
  message: (rpc: CallInfo, message: Buffer): void => handlers.message(rpc, message),
  halfClose: (rpc: CallInfo): void => handlers.halfClose(rpc),
  cancel: (rpc: CallInfo, reason: CancelReason): void => handlers.cancel(rpc, reason),
});

/**
 * A handler that went on after its RPC ended (it did not answer the interruption within the turn)
 * has returned or thrown at last: what it produced is discarded, with one warning naming the method.
 */
export function warnAbandoned(method: string, reason: Error): void {
  process.emitWarning(
    `The handler of ${method} went on after its RPC ended (${reason.message}); what it returned or threw is discarded.`,
    { type: 'GrpcAioWarning', code: HANDLER_ABANDONED_WARNING_CODE },
  );
}
