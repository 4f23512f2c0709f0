import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
// One vitest project per workspace package folder, plus the examples.
const folders = [
  ...readdirSync(`${root}packages`)
    .filter((name) => existsSync(`${root}packages/${name}/package.json`))
    .map((name) => ({ name, dir: `${root}packages/${name}` })),
  { name: 'examples', dir: `${root}examples` },
];

// Tests import the workspace packages by name and get their TypeScript sources, so a test run never
// needs a fresh build (tests that check the built dist/ files import those explicitly).
const alias = [
  { find: /^grpc-aio$/, replacement: `${root}packages/aio/src/index.ts` },
  { find: /^grpc-aio\/(.+)$/, replacement: `${root}packages/aio/src/$1.ts` },
  { find: /^@grpc-aio\/(?!test-fixtures)([^/]+)$/, replacement: `${root}packages/$1/src/index.ts` },
  { find: /^@grpc-aio\/([^/]+)\/(.+)$/, replacement: `${root}packages/$1/src/$2.ts` },
];

// .ci/run sets GRPC_AIO_TEST_REPORT to collect vitest's JSON report for its summary line.
const report = process.env.GRPC_AIO_TEST_REPORT;

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
    projects: folders
      .map(({ name, dir }) => ({
        resolve: { alias },
        test: {
          name,
          root: dir,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      }))
      .concat({
        // The type tests of every package, in one project: vitest prints its "experimental feature"
        // notice once per project that typechecks, so one project prints it once.
        resolve: { alias },
        test: {
          name: 'types',
          root,
          include: [],
          testTimeout: 20_000,
          hookTimeout: 20_000,
          typecheck: {
            enabled: true,
            only: true,
            include: [
              'packages/*/src/**/*.test-d.ts',
              'packages/*/test/**/*.test-d.ts',
              'examples/**/*.test-d.ts',
            ],
            tsconfig: `${root}tsconfig.typetests.json`,
          },
        },
      } as never),
  },
});
