import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type GenerateOptions, generateTypeScript, IMPORT_FROM, type ImportFrom } from './generator.js';
import { ProtoLoadError } from './proto-load-error.js';

/** The usage text of `grpc-aio-gen`. */
export const USAGE = `Usage: grpc-aio-gen --out DIR [options] file.proto...

Writes DIR/<name>.ts for every file.proto: message interfaces, enums, typed stubs and servicers.

Options:
  --out DIR, -o DIR      output directory (created if missing)
  --include DIR, -I DIR  directory to search for the files and their imports (repeatable)
  --keep-case            keep field names as in the .proto (default: camelCase)
  --longs BigInt|String|Number  64-bit integers as bigints, decimal strings or numbers (default: BigInt)
  --enums String         decode enums as their names (default: numbers)
  --bytes String|Array   decode bytes as base64 strings or arrays (default: Uint8Array)
  --defaults             fill absent fields with their defaults when decoding
  --oneofs               add the virtual oneof fields
  --import-from PACKAGE  what the generated code imports: grpc-aio (its grpc-aio/codegen subpath)
                         or @grpc-aio/protos (@grpc-aio/core and @grpc-aio/protos); default:
                         grpc-aio when the nearest package.json depends on it, else @grpc-aio/protos
  --help, -h             show this text
`;

/** Where the CLI writes: injectable for tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

class ArgumentError extends Error {}

function parseArguments(
  argv: readonly string[],
): { out: string; files: string[]; options: GenerateOptions } | 'help' {
  let out: string | undefined;
  const includeDirs: string[] = [];
  const files: string[] = [];
  const options: GenerateOptions = {};
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined || next.startsWith('-')) throw new ArgumentError(`${argument} needs a value`);
      return next;
    };
    const oneOf = <T extends string>(allowed: readonly T[]): T => {
      const given = value();
      if (!(allowed as readonly string[]).includes(given)) {
        throw new ArgumentError(`${argument} must be ${allowed.join(' or ')}, not ${given}`);
      }
      return given as T;
    };
    switch (argument) {
      case '--help':
      case '-h':
        return 'help';
      case '--out':
      case '-o':
        out = value();
        break;
      case '--include':
      case '-I':
        includeDirs.push(value());
        break;
      case '--keep-case':
        options.keepCase = true;
        break;
      case '--longs':
        options.longs = oneOf(['BigInt', 'String', 'Number'] as const);
        break;
      case '--enums':
        options.enums = oneOf(['String'] as const);
        break;
      case '--bytes':
        options.bytes = oneOf(['String', 'Array'] as const);
        break;
      case '--defaults':
        options.defaults = true;
        break;
      case '--oneofs':
        options.oneofs = true;
        break;
      case '--import-from':
        options.importFrom = oneOf(IMPORT_FROM);
        break;
      default:
        if (argument.startsWith('-')) throw new ArgumentError(`unknown option ${argument}`);
        files.push(argument);
    }
  }
  if (out === undefined) throw new ArgumentError('--out DIR is required');
  if (files.length === 0) throw new ArgumentError('no .proto file given');
  if (includeDirs.length > 0) options.includeDirs = includeDirs;
  return { out, files, options };
}

/**
 * The package generated code imports when `--import-from` is not given: `grpc-aio` when the
 * nearest package.json above `directory` depends on it (so that the code imports only what the
 * user installed), else `@grpc-aio/protos`.
 */
function defaultImportFrom(directory: string): ImportFrom {
  for (let dir = path.resolve(directory); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      let manifest: Record<string, unknown>;
      try {
        manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch {
        return '@grpc-aio/protos';
      }
      const declared = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].some(
        (field) => Object.hasOwn((manifest[field] as object | undefined) ?? {}, 'grpc-aio'),
      );
      return declared ? 'grpc-aio' : '@grpc-aio/protos';
    }
    if (path.dirname(dir) === dir) return '@grpc-aio/protos';
  }
}

/** The output file name of a .proto input: its base name with `.ts`. */
function outputName(file: string): string {
  return `${path.basename(file, '.proto')}.ts`;
}

/**
 * Runs `grpc-aio-gen` with `argv` (the arguments after the program name).
 * @returns the exit code: 0 on success, 1 for a load error, 2 for bad arguments.
 */
export function main(argv: readonly string[], io: CliIo = processIo): number {
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    io.stderr(`grpc-aio-gen: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  const { out, files, options } = parsed;
  options.importFrom ??= defaultImportFrom(process.cwd());
  const seen = new Map<string, string>();
  for (const file of files) {
    const name = outputName(file);
    const previous = seen.get(name);
    if (previous !== undefined) {
      io.stderr(`grpc-aio-gen: ${previous} and ${file} would both be written to ${name}\n`);
      return 2;
    }
    seen.set(name, file);
  }
  const outputs: [string, string][] = [];
  for (const file of files) {
    try {
      outputs.push([path.join(out, outputName(file)), generateTypeScript(file, options)]);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      io.stderr(`grpc-aio-gen: ${error instanceof ProtoLoadError ? '' : `${file}: `}${error.message}\n`);
      return 1;
    }
  }
  mkdirSync(out, { recursive: true });
  for (const [target, code] of outputs) {
    writeFileSync(target, code);
    io.stdout(`wrote ${target}\n`);
  }
  return 0;
}
