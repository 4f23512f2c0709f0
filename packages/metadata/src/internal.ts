// @grpc-aio/metadata/internal: helpers shared by the grpc-aio packages.
// This entry point is not for applications and does not follow semantic versioning.
export { installBrand } from './brand.js';
export { pyBytesRepr, pyStringRepr } from './repr.js';
