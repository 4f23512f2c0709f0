import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 20, must-have 5: the examples in the READMEs run as written on Node 20.
//
// Every fenced block of the publishable READMEs (and the root README) has a language tag. A `js` or
// `ts` block is either a fragment (its first line is a `// fragment: ...` comment saying what its
// stand-in names are) or a complete example, which this test checks as a user would use it:
// - `js` blocks are ES modules run with Node 20 as `.mjs` files;
// - `ts` blocks are type-checked together with tsc under the repository's tsconfig.base.json
//   (strict, noUncheckedIndexedAccess, nodenext), compiled, and run with Node 20; a block whose
//   first line is `// file: NAME.test.ts` is a test file, run with vitest.
// A block may name its file with a first line `// file: NAME` (so that others import it).
// They import the workspace packages by name: a node_modules in the scratch folder links
// @grpc-aio/* to the workspace packages, which resolve to their built dist (`pnpm test` builds first).
// grpc-aio's own README (packages/aio) is run by fresh-project.test.ts, from the packed tarballs.

const execute = promisify(execFile);
const workspace = fileURLToPath(new URL('../../..', import.meta.url));
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const { resolve } = createRequire(import.meta.url);
const tsc = resolve('typescript/bin/tsc');
const vitest = path.join(path.dirname(resolve('vitest/package.json')), 'vitest.mjs');

/** The READMEs whose examples this test runs, by folder (the root README is ''). */
const READMES = [
  '',
  'channel',
  'core',
  'errors',
  'health',
  'interceptors',
  'metadata',
  'protos',
  'server',
  'testing',
];
const LINKED = READMES.filter((folder) => folder !== '');

interface Block {
  readme: string;
  line: number;
  language: string;
  code: string;
}

function blocksOf(folder: string): Block[] {
  const readme = folder === '' ? 'README.md' : `packages/${folder}/README.md`;
  const lines = readFileSync(path.join(workspace, readme), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = lines[index]!.match(/^```(\S*)\s*$/);
    if (open === null) continue;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !/^```\s*$/.test(lines[index]!); index++) body.push(lines[index]!);
    blocks.push({ readme, line: start + 1, language: open[1]!, code: `${body.join('\n')}\n` });
  }
  return blocks;
}

const blocks = READMES.flatMap((folder) => blocksOf(folder).map((block) => ({ ...block, folder })));
const isFragment = (block: Block): boolean => /^\/\/ fragment: \S/.test(block.code);
const examples = blocks
  .filter((block) => (block.language === 'js' || block.language === 'ts') && !isFragment(block))
  .map((block, index, all) => {
    const named = block.code.match(/^\/\/ file: (\S+)\n/)?.[1];
    const number = all.slice(0, index).filter((other) => other.folder === block.folder).length + 1;
    const name = named ?? `example-${number}.${block.language === 'js' ? 'mjs' : 'ts'}`;
    return { ...block, name, folder: block.folder || 'root' };
  });

// The child processes must not take vitest's or pnpm's settings for their own.
const env = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VITEST|npm_|pnpm_|NODE_OPTIONS$|TEST$)/i.test(key)),
  ),
  NO_COLOR: '1',
  FORCE_COLOR: '0',
} as NodeJS.ProcessEnv;

async function run(args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return execute(process.execPath, args, { cwd, env, timeout: 15_000, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: {
      code?: number | string;
      signal?: string;
      stdout?: string;
      stderr?: string;
      message: string;
    }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      output: `${error.signal ? `killed by ${error.signal}\n` : ''}${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
}

let scratch: string;

beforeAll(() => {
  // Inside the repository (so that @grpc/grpc-js, vitest and @types/node resolve as in the
  // workspace), in a folder no tool looks at and that is removed afterwards.
  scratch = mkdtempSync(path.join(packageRoot, '.readme-examples-'));
  writeFileSync(path.join(scratch, 'package.json'), '{ "private": true, "type": "module" }\n');
  mkdirSync(path.join(scratch, 'node_modules/@grpc-aio'), { recursive: true });
  for (const folder of LINKED) {
    symlinkSync(
      path.join(workspace, 'packages', folder),
      path.join(scratch, 'node_modules/@grpc-aio', folder),
      'dir',
    );
  }
  writeFileSync(
    path.join(scratch, 'tsconfig.json'),
    `${JSON.stringify(
      {
        extends: path.join(workspace, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: false,
          allowImportingTsExtensions: false,
          declaration: false,
          rootDir: '.',
          outDir: 'dist',
          types: ['node'],
        },
        include: ['*/*.ts'],
      },
      null,
      2,
    )}\n`,
  );
  // The README's test files run with a config of their own (else vitest finds the workspace's).
  writeFileSync(
    path.join(scratch, 'vitest.config.mjs'),
    'export default { test: { include: ["**/*.test.js"] } };\n',
  );
  for (const example of examples) {
    mkdirSync(path.join(scratch, example.folder), { recursive: true });
    writeFileSync(path.join(scratch, example.folder, example.name), example.code);
  }
});

afterAll(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe('README examples run as written (issue 20, must-have 5)', () => {
  it('every code block has a language, and every js/ts block is a complete example or says it is a fragment', () => {
    const untagged = blocks
      .filter((block) => block.language === '')
      .map((block) => `${block.readme}:${block.line}`);
    expect(untagged).toEqual([]);
    // A fragment's stand-in names are undefined; a complete example must not use `await using`
    // in plain JavaScript (Node 20 has no explicit resource management).
    const awaitUsingInJs = examples
      .filter((example) => example.language === 'js' && /\bawait using\b/.test(example.code))
      .map((example) => `${example.readme}:${example.line}`);
    expect(awaitUsingInJs).toEqual([]);
    // Each `ts` example that uses `await using` has a plain-JS variant in its README.
    for (const example of examples.filter((example) => /\bawait using\b/.test(example.code))) {
      if (example.name.endsWith('.test.ts')) continue; // test files run under vitest, not plain Node
      const variants = examples.filter(
        (other) => other.readme === example.readme && other.language === 'js' && other.line > example.line,
      );
      expect(
        variants.length,
        `${example.readme}:${example.line} has no plain-JS variant after it`,
      ).toBeGreaterThan(0);
    }
  });

  it('the TypeScript examples type-check strictly (tsconfig.base.json) and compile', async () => {
    const result = await run([tsc, '-p', scratch], scratch);
    expect(result).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('the complete examples run on Node 20 (JavaScript as .mjs, TypeScript compiled by tsc, tests with vitest)', async () => {
    const results = await Promise.all(
      examples.map(async (example) => {
        const where = `${example.readme} ${example.name}`;
        if (example.language === 'js') {
          return [where, await run([example.name], path.join(scratch, example.folder))] as const;
        }
        const compiled = path.join(scratch, 'dist', example.folder);
        const file = example.name.replace(/\.ts$/, '.js');
        if (example.name.endsWith('.test.ts')) {
          const config = path.join(scratch, 'vitest.config.mjs');
          const result = await run([vitest, 'run', '--config', config, '--root', compiled, file], compiled);
          // vitest's summary has timings: keep only whether it passed.
          return [
            where,
            { code: result.code, output: result.code === 0 ? 'passed' : result.output },
          ] as const;
        }
        return [where, await run([file], compiled)] as const;
      }),
    );
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
    const outputs = Object.fromEntries(
      results.map(([where, { code, output }]) => [where, { code, output: output.replace(uuid, '<uuid>') }]),
    );
    expect(outputs).toMatchInlineSnapshot(`
      {
        "packages/channel/README.md example-1.ts": {
          "code": 0,
          "output": "Hello, you! 0
      note 1
      note 2
      { size: 23 }
      ",
        },
        "packages/channel/README.md example-2.mjs": {
          "code": 0,
          "output": "Hello, you!
      ",
        },
        "packages/core/README.md example-1.ts": {
          "code": 0,
          "output": "",
        },
        "packages/health/README.md example-1.mjs": {
          "code": 0,
          "output": "1 2
      ",
        },
        "packages/health/README.md example-2.ts": {
          "code": 0,
          "output": "SERVING
      SERVING
      NOT_SERVING
      { '': 1, 'helloworld.Greeter': 2 }
      ",
        },
        "packages/health/README.md example-3.mjs": {
          "code": 0,
          "output": "SERVING
      ",
        },
        "packages/interceptors/README.md example-1.ts": {
          "code": 0,
          "output": "Hello, you! (x-request-id: <uuid>)
      ",
        },
        "packages/interceptors/README.md example-2.ts": {
          "code": 0,
          "output": "",
        },
        "packages/metadata/README.md example-1.mjs": {
          "code": 0,
          "output": "",
        },
        "packages/server/README.md example-1.ts": {
          "code": 0,
          "output": "true
      false
      ",
        },
        "packages/server/README.md example-2.mjs": {
          "code": 0,
          "output": "",
        },
        "packages/testing/README.md example-app.ts": {
          "code": 0,
          "output": "",
        },
        "packages/testing/README.md example.test.ts": {
          "code": 0,
          "output": "passed",
        },
      }
    `);
  }, 60_000);
});
