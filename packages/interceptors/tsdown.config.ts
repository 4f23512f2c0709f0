import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    client: 'src/client.ts',
    server: 'src/server.ts',
    internal: 'src/internal.ts',
  }),
);
