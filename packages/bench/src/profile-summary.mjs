#!/usr/bin/env node
// node src/profile-summary.mjs DIR [--top N] [--filter REGEX]
// Sums the self time of every function over the .cpuprofile files under DIR (as written by
// `run.mjs --profile`) and prints the top functions overall and those whose script matches
// --filter (default: grpc-aio's channel and server packages), as % of all samples.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string' }, filter: { type: 'string' } },
});
const top = Number(args.top ?? 25);
const filter = new RegExp(args.filter ?? 'packages/(channel|server|metadata|core|errors)/');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.cpuprofile') ? [path] : [];
  });
}

for (const dir of positionals) {
  const selfUs = new Map();
  let totalUs = 0;
  const category = new Map();
  for (const file of files(dir)) {
    const profile = JSON.parse(readFileSync(file, 'utf8'));
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const deltas = profile.timeDeltas;
    for (let index = 0; index < profile.samples.length; index++) {
      const node = nodes.get(profile.samples[index]);
      const us = deltas[index + 1] ?? 0;
      const frame = node.callFrame;
      if (frame.functionName === '(idle)') continue; // waiting for I/O, not CPU
      totalUs += us;
      const url = frame.url
        .replace(/^file:\/\//, '')
        .replace(/.*\/node_modules\/\.pnpm\/([^/]+)\/node_modules\//, '$1: ');
      const key = `${frame.functionName || '(anonymous)'} ${url ? `${url.replace('/work/main/', '')}:${frame.lineNumber + 1}` : ''}`;
      selfUs.set(key, (selfUs.get(key) ?? 0) + us);
      const kind = !url
        ? frame.functionName
        : filter.test(url)
          ? 'grpc-aio'
          : url.includes('grpc-js')
            ? 'grpc-js'
            : url.includes('nice-grpc')
              ? 'nice-grpc'
              : url.startsWith('node:')
                ? 'node:*'
                : url.includes('packages/bench')
                  ? 'bench harness'
                  : 'other';
      category.set(kind, (category.get(kind) ?? 0) + us);
    }
  }
  const pct = (us) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
  console.log(
    `\n== ${relative(process.cwd(), dir) || dir}: ${(totalUs / 1e6).toFixed(2)} s of non-idle samples`,
  );
  console.log('-- by origin');
  for (const [kind, us] of [...category].sort((a, b) => b[1] - a[1]).slice(0, 10))
    console.log(`${pct(us)}  ${kind}`);
  const sorted = [...selfUs].sort((a, b) => b[1] - a[1]);
  console.log(`-- top ${top} self time, all code`);
  for (const [key, us] of sorted.slice(0, top)) console.log(`${pct(us)}  ${key}`);
  console.log(`-- top ${top} self time, ${filter}`);
  for (const [key, us] of sorted.filter(([key]) => filter.test(key)).slice(0, top))
    console.log(`${pct(us)}  ${key}`);
}
