import * as testingPackage from '@grpc-aio/testing';
import { describe, expect, it } from 'vitest';
import * as experimental from '../src/experimental.js';
import * as health from '../src/health.js';
import * as aio from '../src/index.js';
import * as observability from '../src/observability.js';
import * as reflection from '../src/reflection.js';
import * as status from '../src/status.js';
import * as testing from '../src/testing.js';

// grpc.aio.__all__ of gRPC Python 1.66, camelCased, split into what exists at run time in
// TypeScript and what is type-only (interfaces; checked in surface.test-d.ts).
const PYTHON_ALL_RUNTIME = [
  'AbortError',
  'AioRpcError',
  'BaseError',
  'ClientCallDetails',
  'EOF',
  'InterceptedUnaryUnaryCall',
  'InternalError',
  'Metadata',
  'UsageError',
  'initGrpcAio',
  'insecureChannel',
  'secureChannel',
  'server',
  'shutdownGrpcAio',
];

describe('the grpc-aio surface', () => {
  it('A1..A5 every runtime name of grpc.aio.__all__ is exported', () => {
    for (const name of PYTHON_ALL_RUNTIME) expect(aio, name).toHaveProperty(name);
  });

  it('the sorted list of runtime exports (nothing drops out silently)', () => {
    expect(Object.keys(aio).sort()).toMatchInlineSnapshot(`
      [
        "AbortError",
        "AioRpcError",
        "BaseError",
        "CancelledError",
        "ChannelConnectivity",
        "ClientCallDetails",
        "Compression",
        "EOF",
        "InterceptedStreamStreamCall",
        "InterceptedStreamUnaryCall",
        "InterceptedUnaryStreamCall",
        "InterceptedUnaryUnaryCall",
        "InternalError",
        "InvalidStateError",
        "LocalConnectionType",
        "Metadata",
        "RpcContextVar",
        "RpcError",
        "Status",
        "StatusCode",
        "UsageError",
        "accessTokenCallCredentials",
        "addAdminServicers",
        "addChannelzServicer",
        "addServicer",
        "altsChannelCredentials",
        "channelConnectivityName",
        "clientLoggingInterceptor",
        "compositeCallCredentials",
        "compositeChannelCredentials",
        "compressionName",
        "computeEngineChannelCredentials",
        "defaultTimeoutInterceptor",
        "dynamicSslServerCredentials",
        "fromTsProto",
        "initGrpcAio",
        "insecureChannel",
        "insecureChannelCredentials",
        "insecureServerCredentials",
        "interceptChannel",
        "isEOF",
        "loadProtos",
        "loadProtosAndServices",
        "loadServices",
        "localChannelCredentials",
        "localServerCredentials",
        "metadataCallCredentials",
        "metadataInterceptor",
        "methodHandlersGenericHandler",
        "protos",
        "protosAndServices",
        "recoveryInterceptor",
        "retryInterceptor",
        "secureChannel",
        "server",
        "serverLoggingInterceptor",
        "servicerHandlers",
        "services",
        "shutdownGrpcAio",
        "sslChannelCredentials",
        "sslServerCertificateConfiguration",
        "sslServerCredentials",
        "statusCodeFromName",
        "statusCodeName",
        "streamStreamRpcMethodHandler",
        "streamUnaryRpcMethodHandler",
        "stub",
        "unaryStreamRpcMethodHandler",
        "unaryUnaryRpcMethodHandler",
        "wrapHandler",
        "xdsChannelCredentials",
      ]
    `);
  });

  it('grpc-aio/experimental answers with the same names and values (the 1.32 path)', () => {
    expect(Object.keys(experimental).sort()).toEqual(Object.keys(aio).sort());
    for (const [name, value] of Object.entries(aio)) {
      // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the test compares every export by name
      expect(experimental[name as keyof typeof experimental]).toBe(value);
    }
  });

  it('grpc-aio/health exports the health service', () => {
    expect(health.SERVICE_NAME).toBe('grpc.health.v1.Health');
    expect(typeof health.HealthServicer).toBe('function');
  });

  it('grpc-aio/testing is the whole of @grpc-aio/testing', () => {
    expect(Object.keys(testing).sort()).toEqual(Object.keys(testingPackage).sort());
  });

  it('grpc-aio/observability exports the OpenTelemetry plugin', () => {
    expect(Object.keys(observability).sort()).toEqual([
      'INSTRUMENTATION_NAME',
      'INSTRUMENTATION_VERSION',
      'LATENCY_BUCKETS',
      'METRIC_NAMES',
      'OTHER',
      'OpenTelemetryPlugin',
      'SIZE_BUCKETS',
    ]);
  });

  it("A77 grpc-aio/reflection exports enableServerReflection and Python's SERVICE_NAME", () => {
    expect(reflection.SERVICE_NAME).toBe('grpc.reflection.v1alpha.ServerReflection');
    expect(typeof reflection.enableServerReflection).toBe('function');
    expect(typeof reflection.ReflectionServicer).toBe('function');
  });

  it('A76 grpc-aio/status exports the rich status helpers', () => {
    expect(Object.keys(status).sort()).toEqual([
      'GRPC_DETAILS_METADATA_KEY',
      'StatusDetailsMetadataDecodeError',
      'StatusDetailsMetadataValueError',
      'TYPE_URL_PREFIX',
      'anyIs',
      'decodeRpcStatus',
      'encodeRpcStatus',
      'fromCall',
      'fromRpcError',
      'packAny',
      'toStatus',
      'unpackAny',
    ]);
  });

  it("A74 protos/services/protosAndServices are the loaders under Python's names", () => {
    expect(aio.protos).toBe(aio.loadProtos);
    expect(aio.services).toBe(aio.loadServices);
    expect(aio.protosAndServices).toBe(aio.loadProtosAndServices);
  });
});
