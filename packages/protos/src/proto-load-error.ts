import { installBrand } from '@grpc-aio/metadata/internal';

/**
 * A .proto file could not be loaded: missing file or import, syntax error, unknown type. `file`
 * and `line` say where, when known; the message starts with `file:line: ` then.
 */
export class ProtoLoadError extends Error {
  /** The file at fault (as resolved), when known. */
  readonly file: string | undefined;
  /** The 1-based line at fault, when known. */
  readonly line: number | undefined;

  constructor(
    message: string,
    location: { file?: string | undefined; line?: number | undefined } = {},
    cause?: unknown,
  ) {
    const where =
      location.file === undefined
        ? ''
        : location.line === undefined
          ? `${location.file}: `
          : `${location.file}:${location.line}: `;
    super(`${where}${message}`, cause === undefined ? undefined : { cause });
    this.file = location.file;
    this.line = location.line;
  }
}
// The name is set explicitly so bundlers cannot rename it; the brand makes instanceof work across
// duplicate copies of this package (its ESM and CJS builds, nested installs).
Object.defineProperty(ProtoLoadError.prototype, 'name', {
  value: 'ProtoLoadError',
  writable: true,
  configurable: true,
});
installBrand(ProtoLoadError, '@grpc-aio/protos.ProtoLoadError');
