// @grpc-aio/errors/internal: helpers the grpc-aio call objects and server share.
// This entry point is not for applications and does not follow semantic versioning.

export {
  type EndListener,
  reportCallbackError,
  reportEnd,
  runDoneCallbacks,
  TELEMETRY_FAILED,
} from './callbacks.js';
export { terminatedRepr } from './errors.js';
