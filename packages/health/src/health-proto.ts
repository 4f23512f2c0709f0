import protobuf from 'protobufjs';

// grpc.health.v1, written from the public gRPC health checking protocol. Parsed once at load.
const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
message HealthListRequest {}
message HealthListResponse { map<string, HealthCheckResponse> statuses = 1; }
service Health {
  rpc Check(HealthCheckRequest) returns (HealthCheckResponse);
  rpc List(HealthListRequest) returns (HealthListResponse);
  rpc Watch(HealthCheckRequest) returns (stream HealthCheckResponse);
}
`;

/** The serving statuses of grpc.health.v1, with their wire values. */
export const ServingStatus = Object.freeze({
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  SERVICE_UNKNOWN: 3,
} as const);
/** A serving status (its wire value). */
export type ServingStatus = (typeof ServingStatus)[keyof typeof ServingStatus];
/** The name of a serving status: `'SERVING'`, `'NOT_SERVING'` ... */
export type ServingStatusName = keyof typeof ServingStatus;

const NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** `'SERVING'` for 1; `'UNKNOWN'` for a value outside the enum. */
export function servingStatusName(status: number): ServingStatusName {
  return NAMES[status] ?? 'UNKNOWN';
}

/** Full name of the service (Python's `health.SERVICE_NAME`). */
export const SERVICE_NAME = 'grpc.health.v1.Health';
/** The service name that stands for the whole server (Python's `health.OVERALL_HEALTH`). */
export const OVERALL_HEALTH = '';

const root = protobuf.parse(HEALTH_PROTO, { keepCase: true }).root;
const requestType = root.lookupType('grpc.health.v1.HealthCheckRequest');
const responseType = root.lookupType('grpc.health.v1.HealthCheckResponse');
const listRequestType = root.lookupType('grpc.health.v1.HealthListRequest');
const listResponseType = root.lookupType('grpc.health.v1.HealthListResponse');

/** `grpc.health.v1.HealthCheckRequest`: the service to check ('' = the whole server). */
export interface HealthCheckRequest {
  service: string;
}
/** `grpc.health.v1.HealthCheckResponse`: a serving status. */
export interface HealthCheckResponse {
  status: ServingStatus;
}
/** `grpc.health.v1.HealthListRequest` (no fields). */
export type HealthListRequest = Record<string, never>;
/** `grpc.health.v1.HealthListResponse`: the status of every known service, by name. */
export interface HealthListResponse {
  statuses: Record<string, HealthCheckResponse>;
}

const toObjectOptions = { enums: Number, defaults: true } as const;

/** Serializes a HealthCheckRequest. */
export const encodeCheckRequest = (message: HealthCheckRequest): Uint8Array =>
  requestType.encode(requestType.fromObject(message)).finish();
/** Parses a HealthCheckRequest (missing fields get their defaults). */
export const decodeCheckRequest = (bytes: Uint8Array): HealthCheckRequest =>
  requestType.toObject(requestType.decode(bytes), toObjectOptions) as HealthCheckRequest;
/** Serializes a HealthCheckResponse. */
export const encodeCheckResponse = (message: HealthCheckResponse): Uint8Array =>
  responseType.encode(responseType.fromObject(message)).finish();
/** Parses a HealthCheckResponse; the status stays a number, even one outside the enum. */
export const decodeCheckResponse = (bytes: Uint8Array): HealthCheckResponse =>
  responseType.toObject(responseType.decode(bytes), toObjectOptions) as HealthCheckResponse;
/** Serializes a HealthListRequest. */
export const encodeListRequest = (message: HealthListRequest): Uint8Array =>
  listRequestType.encode(listRequestType.fromObject(message)).finish();
/** Parses a HealthListRequest. */
export const decodeListRequest = (bytes: Uint8Array): HealthListRequest =>
  listRequestType.toObject(listRequestType.decode(bytes), toObjectOptions) as HealthListRequest;
/** Serializes a HealthListResponse. */
export const encodeListResponse = (message: HealthListResponse): Uint8Array =>
  listResponseType.encode(listResponseType.fromObject(message)).finish();
/** Parses a HealthListResponse. */
export const decodeListResponse = (bytes: Uint8Array): HealthListResponse =>
  listResponseType.toObject(listResponseType.decode(bytes), toObjectOptions) as HealthListResponse;

/** Method paths of the Health service. */
export const HEALTH_METHODS = Object.freeze({
  check: `/${SERVICE_NAME}/Check`,
  watch: `/${SERVICE_NAME}/Watch`,
  list: `/${SERVICE_NAME}/List`,
});
