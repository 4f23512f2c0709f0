// grpc-aio/health: the grpc.health.v1 service (Python's grpc_health.v1.health.aio), client and probe.
export type {
  HealthCallOptions,
  HealthCheckRequest,
  HealthCheckResponse,
  HealthListRequest,
  HealthListResponse,
  ProbeIO,
  ServingStatusName,
} from '@grpc-aio/health';
export {
  addHealthServicer,
  checkHealth,
  HEALTH_METHODS,
  HealthServicer,
  LIST_LIMIT,
  listHealth,
  OVERALL_HEALTH,
  ProbeExit,
  runHealthProbe,
  SERVICE_NAME,
  ServingStatus,
  servingStatusName,
  stopGracefully,
  UNKNOWN_SERVICE,
  watchHealth,
} from '@grpc-aio/health';
