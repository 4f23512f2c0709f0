// The committed generated modules under test/generated and how each is generated.
import type { GenerateOptions } from '../src/generator.js';

export const GENERATED: readonly { file: string; options: GenerateOptions; cli: string[] }[] = [
  { file: 'helloworld.proto', options: {}, cli: [] },
  { file: 'route_guide.proto', options: {}, cli: [] },
  { file: 'health.proto', options: {}, cli: [] },
  {
    file: 'kitchen.proto',
    options: { longs: 'String', enums: 'String', oneofs: true },
    cli: ['--longs', 'String', '--enums', 'String', '--oneofs'],
  },
];
