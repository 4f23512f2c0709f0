// @grpc-aio/core/internal: helpers shared by the grpc-aio packages.
// This entry point is not for applications and does not follow semantic versioning.

export { setLongTimeout } from './clock.js';
export { type Deferred, deferred } from './deferred.js';
export { enumNames } from './enums.js';
export { rejectUnknownOptions } from './options.js';
export { CALL_END, type EndReporting, reportsEnd } from './telemetry.js';
