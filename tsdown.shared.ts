import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { UserConfig } from 'tsdown';

/**
 * The build every published package shares: dual ESM + CJS with declarations, one entry per
 * public subpath. `entry` maps the output name to its source file.
 *
 * Declarations are emitted once, by the CJS build (`.d.cts`); each ESM entry's `.d.mts` only
 * re-exports its `.d.cts`. Two sets of declarations would make every class with private members
 * two unrelated types (TS2345 "Property '#private' in type 'Metadata' refers to a different
 * member"), which a project mixing `.cts` and `.mts` files hits at once. The re-export goes from
 * ESM to CJS because TypeScript lets ESM import CJS under every `module` setting, but not the
 * reverse (TS1479 under `node16`, and under `nodenext` before TypeScript 5.8). At run time the
 * two copies of a class still coexist; the classes that cross packages carry a `Symbol.for`
 * brand so that `instanceof` holds across them (ARCHITECTURE.md).
 */
export function packageBuild(entry: Record<string, string>): UserConfig {
  return {
    entry,
    format: { esm: { dts: false }, cjs: {} },
    dts: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    clean: true,
    treeshake: true,
    // Rolldown's "your build spent significant time in plugins" notice: the time is tsdown's own
    // declaration plugin, nothing a maintainer can act on.
    inputOptions: { checks: { pluginTimings: false } },
    hooks: {
      async 'build:done'({ options }) {
        if (options.format !== 'es') return;
        await Promise.all(
          Object.keys(entry).map((name) =>
            writeFile(
              path.join(options.outDir, `${name}.d.mts`),
              `// The declarations are shared with the CommonJS build: one type per class.\nexport * from './${name}.cjs';\n`,
            ),
          ),
        );
      },
    },
  };
}
