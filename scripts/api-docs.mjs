#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// `pnpm api-docs`: the API reference (TypeDoc) in docs/api/, one module per npm package and public
// subpath, titled by its import name (`grpc-aio/status`, `@grpc-aio/protos/generator`). Entry points
// come from each publishable package's `exports` (subpath `./x` is `src/x.ts`); `internal` subpaths
// are for the grpc-aio packages themselves and are left out. TypeDoc's warnings fail the run.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, '.api-docs'); // git-ignored; tsconfig.docs.json includes it
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const entries = [];
for (const folder of readdirSync(join(root, 'packages'))) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (manifest.private) continue;
  for (const subpath of Object.keys(manifest.exports ?? {})) {
    if (subpath === './package.json' || subpath.endsWith('/internal')) continue;
    const name = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    const source = join(
      root,
      'packages',
      folder,
      'src',
      `${subpath === '.' ? 'index' : subpath.slice(2)}.ts`,
    );
    // A module file per import name, re-exporting the entry point: TypeDoc titles it by @module.
    const file = join(work, `${name.replace(/[@/]/g, '_')}.ts`);
    const target = relative(work, source).replaceAll('\\', '/');
    writeFileSync(
      file,
      `/**\n * \`import ... from '${name}'\`\n * @module ${name}\n */\nexport * from '${target}';\n`,
    );
    entries.push(file);
  }
}
entries.sort();

// TypeDoc's own CLI, run by this Node (npx would add npm's warnings about the user's npmrc).
const typedoc = join(
  dirname(createRequire(import.meta.url).resolve('typedoc/package.json')),
  'bin',
  'typedoc',
);
const result = spawnSync(
  process.execPath,
  [typedoc, '--treatWarningsAsErrors', ...entries.flatMap((entry) => ['--entryPoints', entry])],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
