import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A new user's project, as close to the real thing as CI allows: the published packages packed into
// tarballs (what `npm publish` would upload), installed with pnpm (its strict node_modules shows
// any import of a package the user did not install) into a project that depends only on grpc-aio
// and @grpc/grpc-js. The @grpc-aio/* dependencies of grpc-aio are not on the registry at this
// version, so pnpm overrides point them at their tarballs; everything else comes from the pnpm
// store and metadata cache the workspace install filled (the network only when those miss).

const execute = promisify(execFile);
const workspace = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/fresh-project', import.meta.url));
const PUBLISHED = [
  'aio',
  'channel',
  'core',
  'errors',
  'health',
  'interceptors',
  'metadata',
  'observability',
  'protos',
  'server',
  'testing',
];
const grpcJsVersion = JSON.parse(
  readFileSync(path.join(workspace, 'packages/package-tests/package.json'), 'utf8'),
).devDependencies['@grpc/grpc-js'] as string;
const typescriptVersion = JSON.parse(readFileSync(path.join(workspace, 'package.json'), 'utf8'))
  .devDependencies.typescript as string;
const typesNodeVersion = JSON.parse(
  readFileSync(path.join(workspace, 'node_modules/@types/node/package.json'), 'utf8'),
).version as string;

// The child pnpm must not inherit the settings of the `pnpm test` that runs us (npm_config_*), and
// CI=true would make it insist on a lockfile the fresh project cannot have.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_)/i.test(key)),
) as NodeJS.ProcessEnv;

async function run(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  return execute(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: { code?: number | string; stdout?: string; stderr?: string; message: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message,
    }),
  );
}

async function ok(command: string, args: readonly string[], cwd: string): Promise<string> {
  const { code, output } = await run(command, args, cwd);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${code}:\n${output}`);
  return output;
}

/** The fenced code block of `language` that follows `marker` in the grpc-aio README. */
function readmeBlock(marker: string, language: string): string {
  const readme = readFileSync(path.join(workspace, 'packages/aio/README.md'), 'utf8');
  const after = readme.slice(readme.indexOf(marker));
  const match = after.match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``));
  if (readme.indexOf(marker) < 0 || match === null) throw new Error(`no ${language} block after "${marker}"`);
  return match[1]!;
}

/** The generator command of the grpc-aio README's TypeScript example, as arguments. */
function readmeCommand(): string[] {
  const readme = readFileSync(path.join(workspace, 'packages/aio/README.md'), 'utf8');
  const match = readme.match(/`npx (grpc-aio-gen --out [^`]+)`/);
  if (match === null) throw new Error('no `npx grpc-aio-gen ...` command in the README');
  return match[1]!.split(' ');
}

let root: string;
let app: string;
const timings: Record<string, number> = {};

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    timings[name] = Math.round(performance.now() - start);
  }
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'grpc-aio-fresh-'));
  const tarballs = path.join(root, 'tarballs');
  app = path.join(root, 'app');
  mkdirSync(tarballs);
  cpSync(fixture, app, { recursive: true });

  await timed('pack', () =>
    Promise.all(
      PUBLISHED.map((folder) =>
        ok('pnpm', ['pack', '--pack-destination', tarballs], path.join(workspace, 'packages', folder)),
      ),
    ),
  );
  const tarballOf = (name: string): string => {
    const file = readdirSync(tarballs).find((entry) =>
      new RegExp(`^${name.replace('@', '').replace('/', '-')}-\\d+\\.\\d+\\.\\d+.*\\.tgz$`).test(entry),
    );
    if (file === undefined) throw new Error(`no tarball of ${name} in ${readdirSync(tarballs).join(', ')}`);
    return `file:${path.join(tarballs, file)}`;
  };
  const internal = PUBLISHED.filter((folder) => folder !== 'aio').map((folder) => `@grpc-aio/${folder}`);
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'fresh-app',
        version: '1.0.0',
        private: true,
        dependencies: { 'grpc-aio': tarballOf('grpc-aio'), '@grpc/grpc-js': grpcJsVersion },
        devDependencies: { typescript: typescriptVersion, '@types/node': typesNodeVersion },
        pnpm: { overrides: Object.fromEntries(internal.map((name) => [name, tarballOf(name)])) },
      },
      null,
      2,
    )}\n`,
  );
  const store = (await ok('pnpm', ['store', 'path'], workspace)).trim();
  await timed('install', () =>
    ok(
      'pnpm',
      [
        'install',
        '--prefer-offline',
        '--no-frozen-lockfile',
        '--store-dir',
        store,
        '--config.confirm-modules-purge=false',
      ],
      app,
    ),
  );
}, 180_000);

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  console.log(`fresh project timings (ms): ${JSON.stringify(timings)}`);
});

describe('a fresh project with only grpc-aio and @grpc/grpc-js', () => {
  it('has only grpc-aio and @grpc/grpc-js (and the TypeScript tools) at the top of node_modules', () => {
    const top = readdirSync(path.join(app, 'node_modules')).filter((entry) => !entry.startsWith('.'));
    expect(top.sort()).toEqual(['@grpc', '@types', 'grpc-aio', 'typescript']);
    expect(readdirSync(path.join(app, 'node_modules/@grpc'))).toEqual(['grpc-js']);
  });

  it('pnpm exec grpc-aio-gen generates stubs for a third-party proto that import only grpc-aio', async () => {
    const output = await timed('generate', () =>
      ok(
        'pnpm',
        ['exec', 'grpc-aio-gen', '--out', 'src/gen', '-I', 'proto', 'acme/inventory/v1/inventory.proto'],
        app,
      ),
    );
    expect(output).toContain(`wrote ${path.join('src/gen', 'inventory.ts')}`);
    const code = readFileSync(path.join(app, 'src/gen/inventory.ts'), 'utf8');
    expect([...code.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1])).toEqual([
      'grpc-aio/codegen',
    ]);
    expect(code).toContain('export interface google_protobuf_Timestamp');

    // The grpc-aio README's TypeScript example, with its .proto and its generator command.
    writeFileSync(
      path.join(app, 'helloworld.proto'),
      readmeBlock('`helloworld.proto` in the current directory', 'proto'),
    );
    await ok('pnpm', ['exec', ...readmeCommand()], app);
    writeFileSync(path.join(app, 'src/hello.mts'), readmeBlock('a server and a client in TypeScript', 'ts'));
  }, 60_000);

  it('the stubs, the program and the README example type-check strictly (skipLibCheck off)', async () => {
    const { code, output } = await timed('tsc', () => run('pnpm', ['exec', 'tsc', '-p', '.'], app));
    expect({ code, output }).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('the program makes calls of all four kinds on the generated stubs (CommonJS on Node 20)', async () => {
    const output = await timed('run', () => ok(process.execPath, ['dist/main.js'], app));
    expect(output.split('\n')).toEqual([
      'getItem: Anvil 7',
      'listItems: A-1,B-2',
      'updateItems: 2',
      'syncItems: Anvil!,Bucket!',
      'getItem Z-9: NOT_FOUND no item Z-9',
      '',
    ]);
  }, 30_000);

  it("the README's examples run as written: the TypeScript one compiled, the JavaScript one on Node 20", async () => {
    writeFileSync(path.join(app, 'hello.mjs'), readmeBlock('The same in plain JavaScript', 'js'));
    expect(await ok(process.execPath, ['hello.mjs'], app)).toBe('Hello, you!\n');
    expect(await ok(process.execPath, ['dist/hello.mjs'], app)).toBe('Hello, you!\n');
  }, 30_000);
});
