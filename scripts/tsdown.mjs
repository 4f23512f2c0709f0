#!/usr/bin/env node
// Each package's `build`: tsdown through its API, with the package's tsdown.config.ts. (tsdown's CLI
// prints "Node.js v20 is deprecated" on every run; tsdown is pinned to 0.21.x, which supports Node
// 20, so the notice is noise a user of this repository could do nothing about.)
import { build } from 'tsdown';

await build({});
