import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const fixture = fileURLToPath(new URL('./fixtures/dual-module', import.meta.url));

describe('one declaration of each class for both module systems', () => {
  it('a project without "type": "module" shares a Channel, Metadata and AioRpcError between .cts and .mts', async () => {
    // Against the built declarations (dist/*.d.cts and the dist/*.d.mts that re-export them), with
    // skipLibCheck off: before, the .mts side saw another Metadata ("Property '#private' in type
    // 'Metadata' refers to a different member", TS2345).
    const result = await run(process.execPath, [tsc, '-p', fixture], { cwd: fixture }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: `${error.stdout}${error.stderr}`,
      }),
    );
    expect(result).toEqual({ code: 0, output: '' });
  }, 60_000);
});
