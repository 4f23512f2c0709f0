import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import descriptorExtension from 'protobufjs/ext/descriptor/index.js';
import { checkLoadOptions, type LoadOptions } from './options.js';
import { ProtoLoadError } from './proto-load-error.js';

/** The .proto files to load: one path or several. */
export type ProtoPaths = string | readonly string[];

interface MissingFile {
  readonly origin: string;
  readonly target: string;
  readonly searched: readonly string[];
}

function parseOptions(options: LoadOptions | undefined): protobuf.IParseOptions {
  return { keepCase: options?.keepCase ?? false, alternateCommentMode: true };
}

function checkOptions(options: LoadOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const dirs = options.includeDirs;
  if (dirs !== undefined && (!Array.isArray(dirs) || dirs.some((dir) => typeof dir !== 'string'))) {
    throw new TypeError('includeDirs must be an array of directory paths');
  }
}

let registered = false;

/**
 * protobufjs bundles most well-known types but not descriptor.proto (needed by custom options),
 * which its descriptor extension carries. Registered on first use, not at import.
 */
function registerBundledDescriptor(): void {
  if (registered) return;
  registered = true;
  // protobufjs/ext/descriptor is the google.protobuf namespace of descriptor.proto.
  const namespace = descriptorExtension as unknown as protobuf.Namespace;
  protobuf.common('google/protobuf/descriptor.proto', {
    nested: { google: { nested: { protobuf: namespace.toJSON() } } },
  });
}

function newRoot(options: LoadOptions | undefined): {
  root: protobuf.Root;
  missing: Map<string, MissingFile>;
} {
  const includeDirs = (options?.includeDirs ?? []).map((dir) => path.resolve(dir));
  const missing = new Map<string, MissingFile>();
  registerBundledDescriptor();
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    const searched: string[] = [];
    if (path.isAbsolute(target)) {
      searched.push(path.dirname(target));
      if (!existsSync(target) && !missing.has(target)) missing.set(target, { origin, target, searched });
      return target;
    }
    for (const dir of includeDirs) {
      const candidate = path.resolve(dir, target);
      if (existsSync(candidate)) return candidate;
      searched.push(dir);
    }
    const base = origin === '' || !path.isAbsolute(origin) ? process.cwd() : path.dirname(origin);
    const fallback = path.resolve(base, target);
    if (!existsSync(fallback)) {
      if (!searched.includes(base)) searched.push(base);
      if (!missing.has(fallback)) missing.set(fallback, { origin, target, searched });
    }
    return fallback;
  };
  return { root, missing };
}

/** A Root from the bytes of a `google.protobuf.FileDescriptorSet` (protoc's `--descriptor_set_out`). */
export function rootFromDescriptorSet(bytes: Uint8Array): protobuf.Root {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('descriptorSet must be the bytes of a FileDescriptorSet');
  registerBundledDescriptor();
  try {
    return (protobuf.Root as unknown as { fromDescriptor(bytes: Uint8Array): protobuf.Root }).fromDescriptor(
      bytes,
    );
  } catch (error) {
    throw new ProtoLoadError(`not a FileDescriptorSet: ${(error as Error).message}`, {}, error);
  }
}

/**
 * Resolves every type reference of a Root built elsewhere (JSON, descriptor set, by hand).
 * @throws ProtoLoadError naming the field or method whose type does not resolve.
 */
export function resolveRoot(root: protobuf.Root): protobuf.Root {
  try {
    root.resolveAll();
  } catch (error) {
    throw toLoadError(error, root, new Map());
  }
  return root;
}

/**
 * Loads .proto files (and their imports) into a fresh protobufjs Root, synchronously, resolving
 * file names against `includeDirs` and reporting every failure as a {@link ProtoLoadError}.
 */
export function loadRoot(paths: ProtoPaths, options?: LoadOptions): protobuf.Root {
  checkLoadOptions(options);
  checkOptions(options);
  const files = typeof paths === 'string' ? [paths] : Array.isArray(paths) ? [...paths] : undefined;
  if (
    files === undefined ||
    files.length === 0 ||
    files.some((file) => typeof file !== 'string' || file === '')
  ) {
    throw new TypeError('paths must be a .proto file path or a non-empty array of them');
  }
  const { root, missing } = newRoot(options);
  try {
    root.loadSync(files, parseOptions(options));
  } catch (error) {
    throw toLoadError(error, root, missing);
  }
  return root;
}

const BUNDLED = 'google/protobuf/';

// protobufjs's parser keeps the name of the file it is parsing here (undeclared in its types).
const parseState = protobuf.parse as unknown as { filename: string | null };

/**
 * Parses an in-memory .proto source into a fresh Root; its imports are loaded from files as for
 * {@link loadRoot}. `filename` names the source in error messages.
 */
export function parseSource(
  source: string,
  options?: LoadOptions & { filename?: string | undefined },
): protobuf.Root {
  checkOptions(options);
  if (typeof source !== 'string') throw new TypeError('source must be the text of a .proto file');
  const filename = options?.filename ?? '<source>';
  const { root, missing } = newRoot(options);
  try {
    parseState.filename = filename;
    const parsed = protobuf.parse(source, root, parseOptions(options));
    parseState.filename = null;
    const imports = [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])].map((name: string) =>
      name.includes(BUNDLED)
        ? name.slice(name.lastIndexOf(BUNDLED))
        : (root.resolvePath(filename, name) ?? name),
    );
    if (imports.length > 0) root.loadSync(imports, parseOptions(options));
    root.resolveAll();
  } catch (error) {
    throw toLoadError(error, root, missing, { filename, source });
  }
  return root;
}

const PARSE_ERROR = /^(.*) \((?:(.+), )?line (\d+)\)$/s;

let inMemory: { readonly filename: string; readonly source: string } | undefined;

function lineOf(file: string, pattern: RegExp): number | undefined {
  let text: string;
  if (inMemory !== undefined && inMemory.filename === file) {
    text = inMemory.source;
  } else {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }
  const match = pattern.exec(text);
  if (match === null) return undefined;
  return text.slice(0, match.index).split('\n').length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toLoadError(
  error: unknown,
  root: protobuf.Root,
  missing: ReadonlyMap<string, MissingFile>,
  source?: { readonly filename: string; readonly source: string },
): Error {
  if (error instanceof ProtoLoadError) return error;
  inMemory = source;
  try {
    return describeLoadError(error, root, missing);
  } finally {
    inMemory = undefined;
  }
}

function describeLoadError(
  error: unknown,
  root: protobuf.Root,
  missing: ReadonlyMap<string, MissingFile>,
): Error {
  const failedFile = parseState.filename ?? undefined;
  parseState.filename = null;
  if (!(error instanceof Error)) return new ProtoLoadError(String(error), { file: failedFile });
  const code = (error as NodeJS.ErrnoException).code;
  const errorPath = (error as NodeJS.ErrnoException).path;
  if (code === 'ENOENT' && errorPath !== undefined) {
    const info = missing.get(errorPath);
    if (info !== undefined && info.origin !== '') {
      const line = lineOf(
        info.origin,
        new RegExp(`import\\s+(?:public\\s+|weak\\s+)?["']${escapeRegExp(info.target)}["']`),
      );
      return new ProtoLoadError(
        `import ${JSON.stringify(info.target)} not found (searched: ${info.searched.join(', ')})`,
        { file: info.origin, line },
        error,
      );
    }
    const searched = info?.searched ?? [path.dirname(errorPath)];
    return new ProtoLoadError(
      `file not found (searched: ${searched.join(', ')})`,
      { file: info?.target ?? errorPath },
      error,
    );
  }
  const parseError = PARSE_ERROR.exec(error.message);
  if (parseError !== null) {
    return new ProtoLoadError(
      parseError[1]!,
      { file: parseError[2] ?? failedFile, line: Number(parseError[3]) },
      error,
    );
  }
  if (/^no such (?:type|Type or Enum)\b/.test(error.message)) {
    const unresolved = findUnresolved(root);
    if (unresolved !== undefined) return unresolved;
  }
  return new ProtoLoadError(error.message, { file: failedFile }, error);
}

const BASIC_TYPES = new Set(Object.keys(protobuf.types.basic));

function* allObjects(namespace: protobuf.NamespaceBase): Generator<protobuf.ReflectionObject> {
  for (const object of namespace.nestedArray) {
    yield object;
    if (
      object instanceof protobuf.Namespace ||
      object instanceof protobuf.Type ||
      object instanceof protobuf.Service
    ) {
      yield* allObjects(object);
    }
  }
}

function resolves(scope: protobuf.NamespaceBase, typeName: string): boolean {
  try {
    scope.lookupTypeOrEnum(typeName);
    return true;
  } catch {
    return false;
  }
}

/** Finds the first field or method whose type does not resolve, with its file and line. */
function findUnresolved(root: protobuf.Root): ProtoLoadError | undefined {
  for (const object of allObjects(root)) {
    if (object instanceof protobuf.Type) {
      for (const field of object.fieldsArray) {
        if (BASIC_TYPES.has(field.type) || resolves(object, field.type)) continue;
        const file = field.filename ?? object.filename ?? undefined;
        const line =
          file === null || file === undefined
            ? undefined
            : lineOf(file, new RegExp(`(?<![\\w.])${escapeRegExp(field.type)}\\s*>?\\s+\\w+\\s*=`));
        return new ProtoLoadError(
          `unknown type "${field.type}" of field ${object.fullName.slice(1)}.${field.name}`,
          {
            file: file ?? undefined,
            line,
          },
        );
      }
    }
    if (object instanceof protobuf.Service) {
      for (const method of object.methodsArray) {
        for (const typeName of [method.requestType, method.responseType]) {
          if (resolves(object, typeName)) continue;
          const file = object.filename ?? undefined;
          const line =
            file === undefined
              ? undefined
              : lineOf(file, new RegExp(`\\(\\s*(?:stream\\s+)?${escapeRegExp(typeName)}\\s*\\)`));
          return new ProtoLoadError(
            `unknown type "${typeName}" of method ${object.fullName.slice(1)}.${method.name}`,
            {
              file,
              line,
            },
          );
        }
      }
    }
  }
  return undefined;
}
