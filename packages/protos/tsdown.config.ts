import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

export default defineConfig([
  packageBuild({
    index: 'src/index.ts',
    generator: 'src/generator.ts',
    'protobuf-es': 'src/protobuf-es.ts',
  }),
  // The grpc-aio-gen executable: ESM only, no declarations; src/bin.ts starts with its hashbang.
  {
    entry: { cli: 'src/bin.ts' },
    format: ['esm'],
    dts: false,
    platform: 'node',
    target: 'node20',
    clean: false,
  },
]);
