#!/usr/bin/env node
// grpc-aio-health-probe: the program is built into dist/cli.mjs (from src/cli.ts). This committed
// launcher is the bin, so that installing the workspace before a build links the bin without a warning.
import '../dist/cli.mjs';
