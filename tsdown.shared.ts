import type { UserConfig } from 'tsdown';

/**
 * The build every published package shares: dual ESM + CJS with declarations, one entry per
 * public subpath. `entry` maps the output name to its source file.
 */
export function packageBuild(entry: Record<string, string>): UserConfig {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    clean: true,
    treeshake: true,
  };
}
