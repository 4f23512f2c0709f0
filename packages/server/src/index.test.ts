import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@grpc-aio/server exports', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "ABORT_WITH_OK",
        "CANCELLED_BY_CLIENT",
        "CANCELLED_BY_DEADLINE",
        "CANCELLED_BY_RUNTIME",
        "CANCELLED_BY_SERVER_STOP",
        "COMPRESSION_AFTER_METADATA",
        "HANDLER_ABANDONED_WARNING_CODE",
        "INVALID_TRAILING_METADATA",
        "LATE_REGISTRATION_WARNING_CODE",
        "LocalConnectionType",
        "MAXIMUM_CONCURRENT_RPCS_INVALID",
        "NO_REQUEST",
        "REUSE_PORT_UNSUPPORTED",
        "SECOND_REQUEST",
        "SERVER_SHUTTING_DOWN",
        "WRITE_ON_UNARY_RESPONSE",
        "dynamicSslServerCredentials",
        "insecureServerCredentials",
        "localServerCredentials",
        "methodHandlersGenericHandler",
        "server",
        "sslServerCertificateConfiguration",
        "sslServerCredentials",
        "streamStreamRpcMethodHandler",
        "streamUnaryRpcMethodHandler",
        "unaryStreamRpcMethodHandler",
        "unaryUnaryRpcMethodHandler",
      ]
    `);
  });
});
