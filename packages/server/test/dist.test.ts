// The built package (dist/, made by `turbo run build`): both formats load, and credentials made by
// one copy of the package work with a server of the other.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { serverCert, serverKey } from './fixtures.js';

describe('built package', () => {
  it('A71 ESM and CJS copies load and share credentials', async () => {
    const esm = await import('../dist/index.mjs');
    const cjs = createRequire(import.meta.url)('../dist/index.cjs') as typeof esm;
    expect(Object.keys(esm).sort()).toEqual(Object.keys(cjs).sort());
    const credentials = cjs.sslServerCredentials([{ privateKey: serverKey, certificateChain: serverCert }]);
    const srv = esm.server();
    try {
      expect(await srv.addSecurePort('127.0.0.1:0', credentials)).toBeGreaterThan(0);
    } finally {
      await srv.stop(null);
    }
  });
});
