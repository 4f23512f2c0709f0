// @grpc-aio/interceptors/internal: what the grpc-aio channel, server and testing packages need to
// run interceptor chains. This entry point is not for applications and does not follow semantic
// versioning.

export { validateClientInterceptors } from './client/client-interceptor.js';
export { runInRpcScope } from './server/rpc-context-var.js';
export { runServerInterceptors, validateServerInterceptors } from './server/server-interceptor.js';
