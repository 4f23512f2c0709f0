#!/usr/bin/env node
// Checks every workspace package against CONVENTIONS.md: the package.json shape, a README, that
// every package imported by its sources is declared as a dependency or peer dependency, and
// (for published packages) the registry fields, the LICENSE, a README that starts with its install
// line, and that publint and `attw --pack` (its default profile: node10, node16 from CJS and from
// ESM, bundler) find nothing.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const problems = [];
const fail = (pkg, message) => problems.push(`${pkg}: ${message}`);

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|cts)$/.test(entry) && !/\.test(-d)?\.ts$/.test(entry) && !entry.endsWith('.d.ts'))
      out.push(path);
  }
  return out;
}

function packageNameOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/'))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

const folders = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'package.json')),
);

const REPOSITORY = 'git+https://github.com/grpc-aio/grpc-aio.git';
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
if (!license.includes('Apache License') || !license.includes('Version 2.0')) {
  problems.push('LICENSE: the root LICENSE must be the Apache-2.0 text');
}

const tools = [];
for (const folder of folders) {
  const dir = join(root, 'packages', folder);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const name = pkg.name;
  if (!existsSync(join(dir, 'README.md'))) fail(name, 'has no README.md');

  // A published package must declare what its sources import as a dependency or peer dependency;
  // a private one (tests, benchmarks) is never installed by others, so devDependencies count too.
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...(pkg.private ? Object.keys(pkg.devDependencies ?? {}) : []),
  ]);
  for (const file of existsSync(join(dir, 'src')) ? sourceFiles(join(dir, 'src')) : []) {
    const text = readFileSync(file, 'utf8');
    // import/export ... from '...', a bare import '...', and import('...'); not the word "from"
    // followed by a string elsewhere (Buffer.from('text')).
    const imports =
      /^\s*(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
    for (const match of text.matchAll(imports)) {
      const dependency = packageNameOf(match[1] ?? match[2] ?? match[3]);
      if (dependency && dependency !== name && !declared.has(dependency)) {
        fail(name, `${file.slice(root.length)} imports ${dependency}, which package.json does not declare`);
      }
    }
  }

  if (pkg.private) continue;
  if (pkg.type !== 'module') fail(name, '"type" must be "module"');
  if (pkg.sideEffects !== false) fail(name, '"sideEffects" must be false');
  // bin/ holds committed launchers of built programs, so that a bin exists before the first build.
  const files = pkg.files?.filter((entry) => entry !== 'bin' || pkg.bin !== undefined);
  if (JSON.stringify(files) !== '["dist","LICENSE"]' && JSON.stringify(files) !== '["bin","dist","LICENSE"]')
    fail(name, '"files" must be ["dist", "LICENSE"] (with "bin" first when the package has one)');
  if (!existsSync(join(dir, 'LICENSE')) || readFileSync(join(dir, 'LICENSE'), 'utf8') !== license)
    fail(name, 'needs a LICENSE file identical to the root LICENSE');
  if (pkg.license !== 'Apache-2.0') fail(name, 'license must be "Apache-2.0"');
  if (
    pkg.repository?.type !== 'git' ||
    pkg.repository?.url !== REPOSITORY ||
    pkg.repository?.directory !== `packages/${folder}`
  )
    fail(name, `repository must be { type: "git", url: "${REPOSITORY}", directory: "packages/${folder}" }`);
  if (typeof pkg.homepage !== 'string' || !pkg.homepage.startsWith('https://'))
    fail(name, 'needs a homepage');
  if (typeof pkg.bugs?.url !== 'string') fail(name, 'needs bugs.url');
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) fail(name, 'needs keywords');
  // The README starts (after its title) with the install line, naming the required peers.
  if (existsSync(join(dir, 'README.md'))) {
    const lines = readFileSync(join(dir, 'README.md'), 'utf8').split('\n');
    const start = lines.findIndex((line, index) => index > 0 && line.trim() !== '');
    const install = lines[start + 1] ?? '';
    const peers = Object.keys(pkg.peerDependencies ?? {}).filter(
      (peer) => !pkg.peerDependenciesMeta?.[peer]?.optional,
    );
    if (
      !lines[0]?.startsWith('# ') ||
      lines[start] !== '```sh' ||
      !new RegExp(`^npm i (-D )?${name}( |$)`).test(install) ||
      peers.some((peer) => !install.split(' ').includes(peer))
    )
      fail(name, `README.md must start with a sh block: npm i ${[name, ...peers].join(' ')}`);
  }
  if (!pkg.engines?.node?.startsWith('>=20')) fail(name, 'engines.node must be ">=20"');
  if (pkg.publishConfig?.access !== 'public') fail(name, 'publishConfig.access must be "public"');
  if (pkg.exports?.['./package.json'] !== './package.json')
    fail(name, 'exports must include "./package.json"');
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (subpath === './package.json') continue;
    for (const condition of ['import', 'require']) {
      if (!target?.[condition]?.types || !target?.[condition]?.default) {
        fail(name, `exports["${subpath}"].${condition} needs nested "types" and "default"`);
      }
    }
  }
  for (const dependency of Object.keys(pkg.dependencies ?? {})) {
    if (dependency.startsWith('@grpc-aio/') && pkg.dependencies[dependency] !== 'workspace:*') {
      fail(name, `internal dependency ${dependency} must be "workspace:*"`);
    }
  }
  tools.push(
    run('pnpm', ['exec', 'publint', '--strict'], { cwd: dir }).then(
      ({ stdout }) => {
        if (!/All good/.test(stdout)) fail(name, `publint:\n${stdout}`);
      },
      (error) => fail(name, `publint failed:\n${error.stdout}${error.stderr}`),
    ),
    run('pnpm', ['exec', 'attw', '--pack', '.', '--format', 'table-flipped'], {
      cwd: dir,
    }).catch((error) => fail(name, `attw --pack:\n${error.stdout}${error.stderr}`)),
  );
}
await Promise.all(tools);

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`check-packages: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-packages: ${folders.length} packages ok`);
