import * as grpc from '@grpc/grpc-js';
import { bytes, newClient as plainClient, text, unary } from '@grpc-aio/test-support';
import { describe, expect, it, vi } from 'vitest';
import { CERTIFICATE_FETCH_FAILED } from '../src/credentials.js';
import {
  dynamicSslServerCredentials,
  methodHandlersGenericHandler,
  server,
  sslServerCertificateConfiguration,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { caCert, serverCert, serverKey } from './fixtures.js';
import { track } from './helpers.js';

// Review: a fetched certificate configuration that node:tls refuses (a PEM that is not a key, a key
// that does not match its certificate) must keep the current certificates, as a fetcher that throws
// does, not throw out of the listener's 'connection' event (an uncaught exception: the process dies).

describe('dynamic server credentials', () => {
  it('a fetched configuration node:tls cannot use keeps the current certificates', async () => {
    const logged: unknown[][] = [];
    const error = vi
      .spyOn(console, 'error')
      .mockImplementation((...args: unknown[]) => void logged.push(args));
    const uncaught: unknown[] = [];
    const onUncaught = (reason: unknown) => void uncaught.push(reason);
    // vitest's own handler would fail the run; collect instead, to assert on it.
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      const srv = track(
        server({
          handlers: [
            methodHandlersGenericHandler('t.S', {
              Who: unaryUnaryRpcMethodHandler(() => 'ok', text, bytes),
            }),
          ],
        }),
      );
      const port = await srv.addSecurePort(
        '127.0.0.1:0',
        dynamicSslServerCredentials(sslServerCertificateConfiguration([[serverKey, serverCert]]), () =>
          sslServerCertificateConfiguration([['not a PEM key', 'not a PEM certificate']]),
        ),
      );
      await srv.start();
      const client = plainClient(port, grpc.credentials.createSsl(caCert), {
        'grpc.ssl_target_name_override': 'localhost',
        'grpc.default_authority': 'localhost',
      });
      const result = await unary(client, '/t.S/Who', 'x', { timeout: 5 });
      // A second connection refuses the same configuration: logged once, not once per connection.
      const second = plainClient(port, grpc.credentials.createSsl(caCert), {
        'grpc.ssl_target_name_override': 'localhost',
        'grpc.default_authority': 'localhost',
        'grpc.use_local_subchannel_pool': 1, // its own connection
      });
      expect((await unary(second, '/t.S/Who', 'y', { timeout: 5 })).responses).toEqual(['ok']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
      expect(result.responses).toEqual(['ok']);
      expect(logged.filter(([message]) => message === CERTIFICATE_FETCH_FAILED)).toHaveLength(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const listener of listeners) process.on('uncaughtException', listener);
      error.mockRestore();
    }
  });
});
