import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

export default defineConfig({
  ...packageBuild({ index: 'src/index.ts', internal: 'src/internal.ts', admin: 'src/admin.ts' }),
  // Two entries share a chunk: keep rolldown's runtime helpers (`__toESM` for grpc-js) in a chunk of
  // their own, else the CJS index exports them and the shared chunk requires the index back.
  outputOptions: { codeSplitting: { groups: [{ name: 'runtime', test: /rolldown[\\/]runtime/ }] } },
});
