#!/usr/bin/env node
// grpc-aio-gen, the typed-stub generator of @grpc-aio/protos, as a bin of the umbrella package: with
// only grpc-aio installed, `npx grpc-aio-gen` / `pnpm exec grpc-aio-gen` finds it. It runs the bin of
// the @grpc-aio/protos that this grpc-aio depends on; the generated code imports grpc-aio/codegen
// when the project depends on grpc-aio (see --help).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const manifestPath = require.resolve('@grpc-aio/protos/package.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
await import(pathToFileURL(path.join(path.dirname(manifestPath), manifest.bin['grpc-aio-gen'])).href);
