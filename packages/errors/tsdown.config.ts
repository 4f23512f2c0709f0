import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

export default defineConfig(packageBuild({ index: 'src/index.ts', internal: 'src/internal.ts' }));
