import { enumNames } from '@grpc-aio/core/internal';
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

const NAMES = enumNames(ServingStatus);

/** `'SERVING'` for 1; `'UNKNOWN'` for a value outside the enum. */
export function servingStatusName(status: number): ServingStatusName {
  return NAMES[status] ?? 'UNKNOWN';
}

/** Full name of the service (Python's `health.SERVICE_NAME`). */
export const SERVICE_NAME = 'grpc.health.v1.Health';
/** The service name that stands for the whole server (Python's `health.OVERALL_HEALTH`). */
export const OVERALL_HEALTH = '';

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

const root = protobuf.parse(HEALTH_PROTO, { keepCase: true }).root;
const toObjectOptions = { enums: Number, defaults: true } as const;

/** How one message of grpc.health.v1 is serialized and parsed. */
interface MessageCodec<T> {
  readonly encode: (message: T) => Uint8Array;
  /** Missing fields get their defaults; enums stay numbers, even ones outside the enum. */
  readonly decode: (bytes: Uint8Array) => T;
}

function codec<T extends object>(name: string): MessageCodec<T> {
  const type = root.lookupType(`grpc.health.v1.${name}`);
  return {
    encode: (message) => type.encode(type.fromObject(message)).finish(),
    decode: (bytes) => type.toObject(type.decode(bytes), toObjectOptions) as T,
  };
}

const checkRequest = codec<HealthCheckRequest>('HealthCheckRequest');
const checkResponse = codec<HealthCheckResponse>('HealthCheckResponse');
const listRequest = codec<HealthListRequest>('HealthListRequest');
const listResponse = codec<HealthListResponse>('HealthListResponse');

/** Serializes a HealthCheckRequest. */
export const encodeCheckRequest = checkRequest.encode;
/** Parses a HealthCheckRequest (missing fields get their defaults). */
export const decodeCheckRequest = checkRequest.decode;
/** Serializes a HealthCheckResponse. */
export const encodeCheckResponse = checkResponse.encode;
/** Parses a HealthCheckResponse; the status stays a number, even one outside the enum. */
export const decodeCheckResponse = checkResponse.decode;
/** Serializes a HealthListRequest. */
export const encodeListRequest = listRequest.encode;
/** Parses a HealthListRequest. */
export const decodeListRequest = listRequest.decode;
/** Serializes a HealthListResponse. */
export const encodeListResponse = listResponse.encode;
/** Parses a HealthListResponse. */
export const decodeListResponse = listResponse.decode;

/** Method paths of the Health service. */
export const HEALTH_METHODS = Object.freeze({
  check: `/${SERVICE_NAME}/Check`,
  watch: `/${SERVICE_NAME}/Watch`,
  list: `/${SERVICE_NAME}/List`,
});
