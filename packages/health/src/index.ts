export type { HealthCallOptions } from './health-client.js';
export { checkHealth, listHealth, watchHealth } from './health-client.js';
export type {
  HealthCheckRequest,
  HealthCheckResponse,
  HealthListRequest,
  HealthListResponse,
  ServingStatusName,
} from './health-proto.js';
// For library authors: the message codecs of grpc.health.v1.
export {
  decodeCheckRequest,
  decodeCheckResponse,
  decodeListRequest,
  decodeListResponse,
  encodeCheckRequest,
  encodeCheckResponse,
  encodeListRequest,
  encodeListResponse,
  HEALTH_METHODS,
  OVERALL_HEALTH,
  SERVICE_NAME,
  ServingStatus,
  servingStatusName,
} from './health-proto.js';
export {
  addHealthServicer,
  HealthServicer,
  LIST_LIMIT,
  stopGracefully,
  UNKNOWN_SERVICE,
} from './health-servicer.js';
export type { ProbeIO } from './probe.js';
export { ProbeExit, runHealthProbe } from './probe.js';
