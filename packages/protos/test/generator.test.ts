import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { main, USAGE } from '../src/cli.js';
import { generateTypeScript } from '../src/generator.js';
import { GENERATED } from './generated-outputs.js';

const protosDir = fileURLToPath(new URL('./protos', import.meta.url));
const generatedDir = fileURLToPath(new URL('./generated', import.meta.url));
const distCli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'grpc-aio-gen-'));
  temporary.push(dir);
  return dir;
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) },
  };
}

describe('A74 the generated modules under test/generated are up to date', () => {
  for (const { file, options } of GENERATED) {
    it(`A74 ${file}`, () => {
      const fresh = generateTypeScript(file, { includeDirs: [protosDir], ...options });
      const target = path.join(generatedDir, file.replace(/\.proto$/, '.ts'));
      if (process.env.GRPC_AIO_UPDATE_GENERATED === '1') writeFileSync(target, fresh);
      const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
      expect(committed, `${target} is stale: rerun with GRPC_AIO_UPDATE_GENERATED=1`).toBe(fresh);
    });
  }
});

it('A74 test/generated holds only the modules listed in generated-outputs.ts', () => {
  const listed = GENERATED.map(({ file }) => file.replace(/\.proto$/, '.ts')).sort();
  expect(
    readdirSync(generatedDir)
      .filter((name) => name.endsWith('.ts'))
      .sort(),
  ).toEqual(listed);
});

describe('A74 generateTypeScript', () => {
  it('A74 imports only @grpc-aio/core, @grpc-aio/protos and protobufjs', () => {
    for (const { file, options } of GENERATED) {
      const code = generateTypeScript(file, { includeDirs: [protosDir], ...options });
      const imported = [...code.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
      expect(
        imported.every((name) => ['@grpc-aio/core', '@grpc-aio/protos', 'protobufjs'].includes(name!)),
        file,
      ).toBe(true);
    }
  });

  it('A74 names types of other packages by full name; 64-bit integers are bigint without --longs', () => {
    const code = generateTypeScript('kitchen.proto', { includeDirs: [protosDir] });
    expect(code).toContain('  installedAt?: google_protobuf_Timestamp | null;');
    expect(code).toContain('  tags?: shared_Tag[];');
    expect(code).toContain('  big?: bigint;');
    expect(code).toContain('  serials?: bigint[];');
    expect(code).not.toContain('Long');
    expect(generateTypeScript('kitchen.proto', { includeDirs: [protosDir], longs: 'BigInt' })).toContain(
      'longs: BigInt',
    );
    expect(code).toContain('  drawers?: Record<string, Sink_Drawer>;');
    expect(code).toContain('  kind?: Sink_Kind;');
  });

  it('A74 options it does not take, and values it does not know, are TypeErrors naming them', () => {
    expect(() =>
      generateTypeScript('kitchen.proto', { includeDirs: [protosDir], json: true } as never),
    ).toThrow(
      new TypeError(
        "generateTypeScript() does not take the option 'json' (a load option the generated code does not take: load with loadFromJSON() for it); it takes 'includeDirs', 'keepCase', 'longs', 'enums', 'bytes', 'defaults', 'oneofs', 'importFrom'.",
      ),
    );
    expect(() =>
      generateTypeScript('kitchen.proto', { includeDirs: [protosDir], longs: String } as never),
    ).toThrow(
      new TypeError(
        "generateTypeScript() option longs must be 'BigInt' or 'String' or 'Number', got the function String.",
      ),
    );
    expect(() =>
      generateTypeScript('kitchen.proto', {
        includeDirs: [protosDir],
        importFrom: 'grpc-aio/codegen',
      } as never),
    ).toThrow(
      "generateTypeScript() option importFrom must be 'grpc-aio' or '@grpc-aio/protos', got 'grpc-aio/codegen'.",
    );
    expect(() =>
      generateTypeScript('kitchen.proto', { includeDirs: [protosDir], oneofs: 'true' } as never),
    ).toThrow(new TypeError("generateTypeScript() option oneofs must be a boolean, got 'true'."));
  });

  it('A74 a load error propagates', () => {
    expect(() => generateTypeScript('bad-type.proto', { includeDirs: [protosDir] })).toThrow(
      `${path.join(protosDir, 'bad-type.proto')}:7: unknown type "Missing" of field broken.Holder.thing`,
    );
  });
});

describe('A74 grpc-aio-gen (main)', () => {
  it('A74 writes one module per file', () => {
    const out = tempDir();
    const { out: printed, err, io: streams } = io();
    const code = main(['--out', out, '-I', protosDir, 'helloworld.proto', 'health.proto'], streams);
    expect([code, err]).toEqual([0, []]);
    expect(printed).toEqual([
      `wrote ${path.join(out, 'helloworld.ts')}\n`,
      `wrote ${path.join(out, 'health.ts')}\n`,
    ]);
    expect(readFileSync(path.join(out, 'helloworld.ts'), 'utf8')).toBe(
      readFileSync(path.join(generatedDir, 'helloworld.ts'), 'utf8'),
    );
  });

  it('A74 --help, bad arguments (exit 2) and load errors (exit 1)', () => {
    const help = io();
    expect(main(['--help'], help.io)).toBe(0);
    expect(help.out).toEqual([USAGE]);
    const cases: [string[], string][] = [
      [['x.proto'], '--out DIR is required'],
      [['--out', 'o'], 'no .proto file given'],
      [['--out'], '--out needs a value'],
      [['--out', 'o', '--longs', 'Long', 'x.proto'], '--longs must be BigInt or String or Number, not Long'],
      [['--out', 'o', '--frobnicate', 'x.proto'], 'unknown option --frobnicate'],
    ];
    for (const [argv, message] of cases) {
      const bad = io();
      expect(main(argv, bad.io), message).toBe(2);
      expect(bad.err).toEqual([`grpc-aio-gen: ${message}\n\n${USAGE}`]);
    }
    const failing = io();
    const out = tempDir();
    expect(main(['--out', out, '-I', protosDir, 'helloworld.proto', 'bad-syntax.proto'], failing.io)).toBe(1);
    expect(failing.err).toEqual([
      `grpc-aio-gen: ${path.join(protosDir, 'bad-syntax.proto')}:7: illegal token 'int32', ';' expected\n`,
    ]);
    expect(existsSync(path.join(out, 'helloworld.ts'))).toBe(false);
    const clash = io();
    expect(main(['--out', out, 'a/x.proto', 'b/x.proto'], clash.io)).toBe(2);
    expect(clash.err).toEqual(['grpc-aio-gen: a/x.proto and b/x.proto would both be written to x.ts\n']);
  });
});

describe('A74 the built grpc-aio-gen executable', () => {
  it('A74 runs from dist with node and writes the same module', async () => {
    if (!existsSync(distCli))
      throw new Error(`${distCli} is missing: build the package first (pnpm turbo run build)`);
    const out = tempDir();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [distCli, '--out', out, '--include', protosDir, ...GENERATED[3]!.cli, 'kitchen.proto'],
      { cwd: tempDir() },
    );
    expect(stdout).toBe(`wrote ${path.join(out, 'kitchen.ts')}\n`);
    expect(readFileSync(path.join(out, 'kitchen.ts'), 'utf8')).toBe(
      readFileSync(path.join(generatedDir, 'kitchen.ts'), 'utf8'),
    );
    const failed = await promisify(execFile)(process.execPath, [distCli, '--out', out, 'missing.proto'], {
      cwd: out,
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(1);
    expect('stderr' in failed && failed.stderr).toBe(
      `grpc-aio-gen: missing.proto: file not found (searched: ${out})\n`,
    );
  });
});
