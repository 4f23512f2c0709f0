import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateTypeScript } from '@grpc-aio/protos/generator';
import { afterEach, describe, expect, it } from 'vitest';
import * as codegen from '../src/codegen.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/grpc-aio-gen.mjs', import.meta.url));
const codegenSource = readFileSync(fileURLToPath(new URL('../src/codegen.ts', import.meta.url)), 'utf8');

// All four kinds and a well-known type, so the generated header imports every name it can.
const PROTO = `syntax = "proto3";
package acme.v1;
import "google/protobuf/empty.proto";
message Thing { string name = 1; int64 count = 2; }
service Things {
  rpc Get(Thing) returns (Thing);
  rpc List(Thing) returns (stream Thing);
  rpc Put(stream Thing) returns (google.protobuf.Empty);
  rpc Sync(stream Thing) returns (stream Thing);
}
`;

const dirs: string[] = [];
function project(manifest: object | undefined): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'grpc-aio-codegen-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'things.proto'), PROTO);
  if (manifest !== undefined) writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function importsOf(code: string): { from: string; names: string[] }[] {
  return [...code.matchAll(/^import (?:type )?\{ ([^}]*) \} from '([^']+)';$/gm)].map((match) => ({
    from: match[2]!,
    names: match[1]!.split(', ').map((name) => name.replace(/^type /, '')),
  }));
}

describe('grpc-aio/codegen and grpc-aio-gen from the umbrella package', () => {
  it('code generated with importFrom "grpc-aio" imports only grpc-aio/codegen, which exports every name', () => {
    const dir = project(undefined);
    const imports = importsOf(generateTypeScript(path.join(dir, 'things.proto'), { importFrom: 'grpc-aio' }));
    expect(imports.map(({ from }) => from)).toEqual(['grpc-aio/codegen']);
    const exported = new Set([
      ...Object.keys(codegen),
      ...[...codegenSource.matchAll(/export type \{([^}]*)\}/g)].flatMap((match) =>
        match[1]!.split(',').map((name) => name.trim()),
      ),
    ]);
    const names = imports.flatMap(({ names }) => names);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('the default stays @grpc-aio/core and @grpc-aio/protos for the library function', () => {
    const dir = project(undefined);
    const imports = importsOf(generateTypeScript(path.join(dir, 'things.proto')));
    expect(imports.map(({ from }) => from)).toEqual(['@grpc-aio/core', '@grpc-aio/protos']);
  });

  it.each([
    ['depends on grpc-aio', { dependencies: { 'grpc-aio': '^0.1.0' } }, [], ['grpc-aio/codegen']],
    [
      'has grpc-aio as a dev dependency',
      { devDependencies: { 'grpc-aio': '^0.1.0' } },
      [],
      ['grpc-aio/codegen'],
    ],
    [
      'depends on the separate packages',
      { dependencies: { '@grpc-aio/protos': '^0.1.0', '@grpc-aio/core': '^0.1.0' } },
      [],
      ['@grpc-aio/core', '@grpc-aio/protos'],
    ],
    [
      'depends on grpc-aio but asks for @grpc-aio/protos',
      { dependencies: { 'grpc-aio': '^0.1.0' } },
      ['--import-from', '@grpc-aio/protos'],
      ['@grpc-aio/core', '@grpc-aio/protos'],
    ],
    [
      'has no package.json of its own but asks for grpc-aio',
      undefined,
      ['--import-from', 'grpc-aio'],
      ['grpc-aio/codegen'],
    ],
  ])('the grpc-aio-gen bin of grpc-aio, in a project that %s', async (_name, manifest, flags, expected) => {
    const dir = project(manifest);
    const { stdout } = await run(process.execPath, [bin, ...flags, '--out', 'gen', 'things.proto'], {
      cwd: dir,
    });
    expect(stdout).toBe(`wrote ${path.join('gen', 'things.ts')}\n`);
    const code = readFileSync(path.join(dir, 'gen', 'things.ts'), 'utf8');
    expect(importsOf(code).map(({ from }) => from)).toEqual(expected);
  });

  it('grpc-aio-gen refuses an unknown --import-from, naming the choices', async () => {
    const dir = project(undefined);
    const failure = await run(
      process.execPath,
      [bin, '--import-from', 'nice-grpc', '--out', 'gen', 'things.proto'],
      {
        cwd: dir,
      },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain(
      'grpc-aio-gen: --import-from must be grpc-aio or @grpc-aio/protos, not nice-grpc',
    );
  });
});
