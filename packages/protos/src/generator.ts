import path from 'node:path';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import protobuf from 'protobufjs';
import { camelName, methodKind } from './descriptors.js';
import { loadRoot } from './load-root.js';
import { describeValue, type LoadOptions } from './options.js';

/**
 * Options of the generator: where to find imports, and the decoding options the generated code
 * loads with (which the generated types follow).
 */
export interface GenerateOptions {
  /** Directories searched for the input files and their imports (protoc's `-I`). */
  includeDirs?: readonly string[] | undefined;
  /** Keep field names as in the .proto instead of camelCasing them. */
  keepCase?: boolean | undefined;
  /**
   * Decode 64-bit integers as `'BigInt'` (the default, typed `bigint`), `'String'` or `'Number'`,
   * as the runtime option `longs` does; the generated types follow.
   */
  longs?: 'BigInt' | 'String' | 'Number' | undefined;
  /** Decode enums as `'String'` names; by default as numbers. */
  enums?: 'String' | undefined;
  /** Decode bytes as `'String'` (base64) or `'Array'`; by default as `Uint8Array`. */
  bytes?: 'String' | 'Array' | undefined;
  /** Fill absent fields with defaults when decoding. */
  defaults?: boolean | undefined;
  /** Add the virtual oneof fields (their value is the name of the member that is set). */
  oneofs?: boolean | undefined;
  /**
   * The package the generated code imports: `'grpc-aio'` (everything from its `grpc-aio/codegen`
   * subpath, for users of the umbrella package) or `'@grpc-aio/protos'` (`@grpc-aio/core` and
   * `@grpc-aio/protos`, for users of the separate packages; the default).
   */
  importFrom?: ImportFrom | undefined;
}

/** The packages generated code can import its runtime from (see {@link GenerateOptions.importFrom}). */
export const IMPORT_FROM = ['grpc-aio', '@grpc-aio/protos'] as const;
/** A package generated code can import its runtime from. */
export type ImportFrom = (typeof IMPORT_FROM)[number];

/** The keys of {@link GenerateOptions}: anything else is refused. */
const GENERATE_OPTIONS = new Set([
  'includeDirs',
  'keepCase',
  'longs',
  'enums',
  'bytes',
  'defaults',
  'oneofs',
  'importFrom',
]);
/** The values of the string options (strings, as the CLI flags: the code names the constructors). */
const GENERATE_CHOICES: Readonly<Record<string, readonly string[]>> = {
  longs: ['BigInt', 'String', 'Number'],
  enums: ['String'],
  bytes: ['String', 'Array'],
  importFrom: IMPORT_FROM,
};
const GENERATE_BOOLEANS = ['keepCase', 'defaults', 'oneofs'] as const;

function generateOptionHint(key: string): string | undefined {
  if (key === 'arrays' || key === 'objects' || key === 'json')
    return 'a load option the generated code does not take: load with loadFromJSON() for it';
  if (key === 'includeDir') return 'give includeDirs, an array';
  return undefined;
}

/** Refuses what the generator would ignore or write into the generated code unchecked. */
function checkGenerateOptions(options: unknown): GenerateOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`generateTypeScript() options must be an object, got ${describeValue(options)}.`);
  rejectUnknownOptions('generateTypeScript()', options, GENERATE_OPTIONS, generateOptionHint);
  const given = options as Record<string, unknown>;
  for (const [key, choices] of Object.entries(GENERATE_CHOICES)) {
    const value = given[key];
    if (value !== undefined && !choices.includes(value as string)) {
      throw new TypeError(
        `generateTypeScript() option ${key} must be ${choices.map((choice) => `'${choice}'`).join(' or ')}, got ${describeValue(value)}.`,
      );
    }
  }
  for (const key of GENERATE_BOOLEANS) {
    const value = given[key];
    if (value !== undefined && typeof value !== 'boolean')
      throw new TypeError(
        `generateTypeScript() option ${key} must be a boolean, got ${describeValue(value)}.`,
      );
  }
  return options as GenerateOptions;
}

/** The message of the error for a TypeScript name two types would share. */
export const NAME_CLASH = 'Two types map to one TypeScript name';

const SCALARS: Record<string, string> = {
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  bool: 'boolean',
  string: 'string',
};
const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function bare(object: protobuf.ReflectionObject): string {
  return object.fullName.replace(/^\./, '');
}

function* walk(namespace: protobuf.NamespaceBase): Generator<protobuf.ReflectionObject> {
  for (const object of namespace.nestedArray) {
    yield object;
    if (object instanceof protobuf.Namespace || object instanceof protobuf.Type) yield* walk(object);
  }
}

function docComment(comment: string | null | undefined, indent = ''): string {
  if (comment === null || comment === undefined || comment.trim() === '') return '';
  const lines = comment.replace(/\*\//g, '*\\/').trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]!.trim()} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} *${line.trim() === '' ? '' : ` ${line.trim()}`}`).join('\n')}\n${indent} */\n`;
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/** The package of the objects declared in `file` (the common namespace of its top-level objects). */
function packageOf(root: protobuf.Root, file: string): string {
  for (const object of walk(root)) {
    if (object.filename !== file) continue;
    if (
      object instanceof protobuf.Type ||
      object instanceof protobuf.Enum ||
      object instanceof protobuf.Service
    ) {
      let parent = object.parent;
      while (parent instanceof protobuf.Type) parent = parent.parent;
      return parent === null || parent instanceof protobuf.Root ? '' : bare(parent);
    }
  }
  return '';
}

/**
 * Generates the TypeScript module of one .proto file: an interface and a `MessageType` value per
 * message, a const object per enum, and per service a typed descriptor, a stub interface and
 * factory (`GreeterStub(channel)`), a servicer interface and `addGreeterServicerToServer`. The
 * module embeds the file's JSON descriptor (with its imports), so it needs no .proto at run time,
 * and imports only `grpc-aio/codegen`, or `@grpc-aio/core` and `@grpc-aio/protos` (see
 * {@link GenerateOptions.importFrom}).
 * @param file the .proto file, found via `includeDirs` or the current directory; it is named
 *   as given in the generated header.
 * @throws ProtoLoadError when the file does not load; TypeError for an option it does not take
 *   (`arrays`, `objects`, `json` included) or a value it does not know (`longs: String`, the
 *   constructor, where the generator takes the string `'String'`).
 */
export function generateTypeScript(file: string, options: GenerateOptions = {}): string {
  checkGenerateOptions(options);
  const loadOptions: LoadOptions = { includeDirs: options.includeDirs, keepCase: options.keepCase };
  const root = loadRoot(file, loadOptions);
  const mainFile = root.files[0]!;
  const pkg = packageOf(root, mainFile);

  const names = new Map<protobuf.ReflectionObject, string>();
  const taken = new Map<string, string>();
  for (const object of walk(root)) {
    if (
      !(
        object instanceof protobuf.Type ||
        object instanceof protobuf.Enum ||
        object instanceof protobuf.Service
      )
    )
      continue;
    const full = bare(object);
    const relative = pkg !== '' && full.startsWith(`${pkg}.`) ? full.slice(pkg.length + 1) : full;
    const name = relative.replace(/\./g, '_');
    const previous = taken.get(name);
    if (previous !== undefined) throw new Error(`${NAME_CLASH}: ${previous} and ${full} are both ${name}`);
    taken.set(name, full);
    names.set(object, name);
  }

  const fieldType = (field: protobuf.Field): string => {
    const resolved = field.resolve().resolvedType;
    let type: string;
    if (resolved instanceof protobuf.Type) type = names.get(resolved)!;
    else if (resolved instanceof protobuf.Enum)
      type = options.enums === 'String' ? `${names.get(resolved)!}Name` : names.get(resolved)!;
    else if (field.type === 'bytes')
      type = options.bytes === 'String' ? 'string' : options.bytes === 'Array' ? 'number[]' : 'Uint8Array';
    else if (LONGS.has(field.type)) {
      if (options.longs === 'String') type = 'string';
      else if (options.longs === 'Number') type = 'number';
      else type = 'bigint';
    } else type = SCALARS[field.type] ?? 'unknown';
    if (field instanceof protobuf.MapField) return `Record<string, ${type}>`;
    if (field.repeated) return type.includes(' ') ? `(${type})[]` : `${type}[]`;
    if (resolved instanceof protobuf.Type) return `${type} | null`;
    return type;
  };

  const body: string[] = [];
  for (const object of walk(root)) {
    if (object instanceof protobuf.Enum) {
      const name = names.get(object)!;
      const values = Object.entries(object.values)
        .map(([key, value]) => `${docComment(object.comments[key], '  ')}  ${propertyKey(key)}: ${value},`)
        .join('\n');
      body.push(
        `${docComment(object.comment ?? `The enum ${bare(object)}.`)}export const ${name} = Object.freeze({\n${values}\n} as const);\n` +
          `/** The values of ${bare(object)}. */\nexport type ${name} = (typeof ${name})[keyof typeof ${name}];\n` +
          `/** The value names of ${bare(object)}. */\nexport type ${name}Name = keyof typeof ${name};\n`,
      );
    } else if (object instanceof protobuf.Type) {
      const name = names.get(object)!;
      const fields = object.fieldsArray
        .map(
          (field) => `${docComment(field.comment, '  ')}  ${propertyKey(field.name)}?: ${fieldType(field)};`,
        )
        .concat(
          options.oneofs
            ? object.oneofsArray.map(
                (oneof) =>
                  `  /** Which member of oneof ${oneof.name} is set. */\n  ${propertyKey(oneof.name)}?: ${oneof.fieldsArray.map((field) => JSON.stringify(field.name)).join(' | ')};`,
              )
            : [],
        );
      body.push(
        `${docComment(object.comment ?? `The message ${bare(object)}.`)}export interface ${name} {\n${fields.join('\n')}${fields.length > 0 ? '\n' : ''}}\n` +
          `export const ${name}: MessageType<${name}> = loaded.protos.message('${bare(object)}');\n`,
      );
    } else if (object instanceof protobuf.Service) {
      body.push(serviceCode(object, names));
    }
  }

  const runtimeOptions: string[] = [];
  if (options.keepCase) runtimeOptions.push('keepCase: true');
  if (options.longs !== undefined) runtimeOptions.push(`longs: ${options.longs}`);
  if (options.enums !== undefined) runtimeOptions.push(`enums: ${options.enums}`);
  if (options.bytes !== undefined) runtimeOptions.push(`bytes: ${options.bytes}`);
  if (options.defaults) runtimeOptions.push('defaults: true');
  if (options.oneofs) runtimeOptions.push('oneofs: true');

  const services = [...walk(root)].filter(
    (object): object is protobuf.Service => object instanceof protobuf.Service,
  );
  const kinds = new Set(
    services.flatMap((service) =>
      service.methodsArray.map((method) =>
        methodKind(method.requestStream === true, method.responseStream === true),
      ),
    ),
  );
  const coreImports = [
    ...(services.length > 0 ? ['Channel', 'Server'] : []),
    ...[...kinds].flatMap((kind) => [BEHAVIORS[kind], CALLABLES[kind]]),
  ].sort();
  const protosImports =
    services.length > 0
      ? [
          'addServicer',
          'loadFromJSON',
          'type MessageType',
          'type MethodDescriptor',
          'type ServiceDescriptor',
          'stub',
        ]
      : ['loadFromJSON', 'type MessageType'];
  const header = [
    `// Generated by grpc-aio-gen from ${file.split(path.sep).join('/')}. Do not edit: regenerate.`,
    '/* eslint-disable */',
    ...(options.importFrom === 'grpc-aio'
      ? [
          `import { ${[...coreImports.map((name) => `type ${name}`), ...protosImports].join(', ')} } from 'grpc-aio/codegen';`,
        ]
      : [
          ...(coreImports.length > 0
            ? [`import type { ${coreImports.join(', ')} } from '@grpc-aio/core';`]
            : []),
          `import { ${protosImports.join(', ')} } from '@grpc-aio/protos';`,
        ]),
    '',
    '/** The JSON descriptor of the .proto file and its imports. */',
    `const descriptor = ${JSON.stringify(root.toJSON(), null, 2)};`,
    '',
    `const loaded = loadFromJSON(descriptor, { ${runtimeOptions.join(', ')} });`,
    '/** Every message and enum of the file and its imports, by full name. */',
    'export const protos = loaded.protos;',
    '/** Every service of the file, by full name. */',
    'export const services = loaded.services;',
    '',
  ];
  return `${header.join('\n')}\n${body.join('\n')}`;
}

const CALLABLES = {
  unaryUnary: 'UnaryUnaryMultiCallable',
  unaryStream: 'UnaryStreamMultiCallable',
  streamUnary: 'StreamUnaryMultiCallable',
  streamStream: 'StreamStreamMultiCallable',
} as const;
const BEHAVIORS = {
  unaryUnary: 'UnaryUnaryBehavior',
  unaryStream: 'UnaryStreamBehavior',
  streamUnary: 'StreamUnaryBehavior',
  streamStream: 'StreamStreamBehavior',
} as const;

function serviceCode(
  service: protobuf.Service,
  names: ReadonlyMap<protobuf.ReflectionObject, string>,
): string {
  const name = names.get(service)!;
  const full = bare(service);
  const methods = service.methodsArray.map((method) => {
    method.resolve();
    return {
      method,
      kind: methodKind(method.requestStream === true, method.responseStream === true),
      request: names.get(method.resolvedRequestType!)!,
      response: names.get(method.resolvedResponseType!)!,
    };
  });
  const descriptorType = methods
    .map(
      ({ method, kind, request, response }) =>
        `  readonly ${propertyKey(method.name)}: MethodDescriptor<${request}, ${response}, '${kind}'>;`,
    )
    .join('\n');
  const stubMembers = methods
    .flatMap(({ method, kind, request, response }) => {
      const doc = docComment(method.comment, '  ');
      const type = `${CALLABLES[kind]}<${request}, ${response}>`;
      const keys =
        camelName(method.name) === method.name ? [method.name] : [camelName(method.name), method.name];
      return keys.map((key) => `${doc}  readonly ${propertyKey(key)}: ${type};`);
    })
    .join('\n');
  const servicerMembers = methods
    .map(
      ({ method, kind, request, response }) =>
        `${docComment(method.comment, '  ')}  ${propertyKey(camelName(method.name))}: ${BEHAVIORS[kind]}<${request}, ${response}>;`,
    )
    .join('\n');
  return [
    `${docComment(service.comment ?? `The service ${full}.`)}export const ${name}Service = loaded.services['${full}'] as ServiceDescriptor<{\n${descriptorType}\n}>;`,
    '',
    `/** A client of ${full}: each method under its camelCase and its .proto name. */`,
    `export interface ${name}Stub {\n${stubMembers}\n}`,
    `/** A client of ${full} on \`channel\` (Python's \`${name}Stub(channel)\`). */`,
    `export function ${name}Stub(channel: Channel): ${name}Stub {`,
    `  return stub(channel, ${name}Service);`,
    '}',
    '',
    `/** An implementation of every method of ${full}. */`,
    `export interface ${name}Servicer {\n${servicerMembers}\n}`,
    `/** Serves \`servicer\` on \`server\` (Python's \`add_${name}Servicer_to_server\`). */`,
    `export function add${name}ServicerToServer(servicer: ${name}Servicer, server: Server): void {`,
    `  addServicer(server, ${name}Service, servicer);`,
    '}',
    '',
  ].join('\n');
}
