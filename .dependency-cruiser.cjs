// The layering of ARCHITECTURE.md, enforced: a package imports only packages on lower layers
// (never a sibling on its own layer, never upward) and there are no cycles. That every imported
// package is declared is checked by scripts/check-packages.mjs.
const LAYERS = {
  metadata: 0,
  core: 1,
  errors: 2,
  interceptors: 3,
  protos: 3,
  channel: 4,
  server: 4,
  testing: 5,
  health: 5,
  observability: 5,
  aio: 6,
};

const layerRules = Object.entries(LAYERS).map(([name, layer]) => {
  const notAllowed = Object.entries(LAYERS)
    .filter(([other, otherLayer]) => other !== name && otherLayer >= layer)
    .map(([other]) => other);
  return {
    name: `layer-${name}`,
    comment: `${name} (L${layer}) may import only packages on lower layers`,
    severity: 'error',
    from: { path: `^packages/${name}/src/` },
    to: { path: `^packages/(${notAllowed.join('|')})/` },
  };
});

// The private test-support package serves the tests of the lower packages (interceptors, protos,
// channel, server), so it sits below the testing layer: it imports only metadata, core and errors
// (and @grpc/grpc-js). Production code never imports it; tests next to the code (*.test.ts) may.
const testSupportRules = [
  {
    name: 'test-support-below-testing',
    comment: 'test-support may import only metadata, core and errors of the grpc-aio packages',
    severity: 'error',
    from: { path: '^packages/test-support/' },
    to: { path: '^packages/', pathNot: '^packages/(metadata|core|errors|test-support)/' },
  },
  {
    name: 'test-support-only-in-tests',
    comment: 'only tests import test-support',
    severity: 'error',
    from: { path: '^packages/[^/]+/src/', pathNot: ['^packages/test-support/', '\\.test(-d)?\\.ts$'] },
    to: { path: '^packages/test-support/' },
  },
];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { couldNotResolve: true },
    },
    ...layerRules,
    ...testSupportRules,
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^packages/[^/]+/dist/'] },
    exclude: { path: '(^|/)node_modules/@types/' },
    preserveSymlinks: false,
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
