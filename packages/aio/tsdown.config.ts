import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    testing: 'src/testing.ts',
    health: 'src/health.ts',
    experimental: 'src/experimental.ts',
    status: 'src/status.ts',
    reflection: 'src/reflection.ts',
    codegen: 'src/codegen.ts',
    'protobuf-es': 'src/protobuf-es.ts',
    observability: 'src/observability.ts',
  }),
);
