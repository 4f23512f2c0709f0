import path from 'node:path';
import protobuf from 'protobufjs';
import descriptorExtension from 'protobufjs/ext/descriptor/index.js';

// A descriptor pool built from protobufjs Roots: one google.protobuf.FileDescriptorProto per .proto
// file, with fully-qualified type names and the imports each file needs, plus indexes by symbol and
// by extension. protobufjs's own Root#toDescriptor groups by package rather than by file, leaves the
// imports out and writes relative type names, which tools such as grpcurl do not accept.

/** protobufjs's descriptor extension: the google.protobuf namespace with the conversion methods. */
interface DescriptorMessages {
  readonly FileDescriptorProto: protobuf.Type;
  readonly DescriptorProto: protobuf.Type;
  readonly FieldDescriptorProto: protobuf.Type;
  readonly MessageOptions: protobuf.Type;
}
const descriptor = descriptorExtension as unknown as DescriptorMessages;

// What this module reads and writes of the google.protobuf descriptor messages, as protobufjs's
// descriptor extension creates and converts them.
interface FieldProto {
  type?: number;
  typeName?: string;
  oneofIndex?: number;
  proto3_optional?: boolean;
  proto3Optional?: boolean;
  options?: Record<string, unknown>;
}
interface MessageProto {
  field: FieldProto[];
  nestedType: MessageProto[];
  enumType: object[];
  extension: FieldProto[];
  oneofDecl: object[];
}
interface FileProto {
  package?: string;
  syntax?: string;
  messageType: MessageProto[];
  enumType: object[];
  service: object[];
  extension: FieldProto[];
  dependency: string[];
}

/** protobufjs's conversion of a reflection object to its descriptor message (the extension's method). */
function toDescriptor<T>(object: protobuf.ReflectionObject, edition?: string): T {
  return (object as unknown as { toDescriptor(edition?: string): T }).toDescriptor(edition);
}

/** One file of a pool. */
export interface PoolFile {
  readonly name: string;
  /** The files it imports (names in this pool). */
  readonly dependencies: readonly string[];
  /** The serialized FileDescriptorProto. */
  readonly bytes: Uint8Array;
}

/** Files of one or more Roots, with symbol and extension indexes. */
export interface DescriptorPool {
  /** File name to file. */
  readonly files: ReadonlyMap<string, PoolFile>;
  /** Fully-qualified symbol (no leading dot) to the name of the file that declares it. */
  readonly symbols: ReadonlyMap<string, string>;
  /** Fully-qualified message names (no leading dot). */
  readonly messages: ReadonlySet<string>;
  /** Extended message (no leading dot) to extension number to the file declaring the extension. */
  readonly extensions: ReadonlyMap<string, ReadonlyMap<number, string>>;
}

const WELL_KNOWN_FILES: Readonly<Record<string, string>> = {
  Any: 'any',
  Api: 'api',
  Method: 'api',
  Mixin: 'api',
  Duration: 'duration',
  Empty: 'empty',
  FieldMask: 'field_mask',
  SourceContext: 'source_context',
  Struct: 'struct',
  Value: 'struct',
  ListValue: 'struct',
  NullValue: 'struct',
  Timestamp: 'timestamp',
  Type: 'type',
  Field: 'type',
  Enum: 'type',
  EnumValue: 'type',
  Option: 'type',
  Syntax: 'type',
  DoubleValue: 'wrappers',
  FloatValue: 'wrappers',
  Int64Value: 'wrappers',
  UInt64Value: 'wrappers',
  Int32Value: 'wrappers',
  UInt32Value: 'wrappers',
  BoolValue: 'wrappers',
  StringValue: 'wrappers',
  BytesValue: 'wrappers',
};

function bare(object: protobuf.ReflectionObject): string {
  return object.fullName.replace(/^\./, '');
}

function isDefinition(object: protobuf.ReflectionObject): boolean {
  return (
    object instanceof protobuf.Type ||
    object instanceof protobuf.Enum ||
    object instanceof protobuf.Service ||
    (object instanceof protobuf.Field && object.extend !== undefined)
  );
}

/** The definition directly inside a package (or the root) that `object` belongs to. */
function topLevel(object: protobuf.ReflectionObject): protobuf.ReflectionObject {
  let current = object;
  while (current.parent !== null && isDefinition(current.parent)) current = current.parent;
  return current;
}

function toPosix(name: string): string {
  return name.split(path.sep).join('/');
}

interface FileGroup {
  readonly name: string;
  readonly packageName: string;
  edition: string;
  readonly definitions: protobuf.ReflectionObject[];
}

/** Options of {@link buildDescriptorPool}. */
export interface PoolOptions {
  /** Directories that file names loaded from disk are made relative to (as protoc's `-I`). */
  readonly includeDirs?: readonly string[] | undefined;
}

class PoolBuilder {
  readonly files = new Map<string, PoolFile>();
  readonly symbols = new Map<string, string>();
  readonly messages = new Set<string>();
  readonly extensions = new Map<string, Map<number, string>>();
  private readonly fileOf = new Map<protobuf.ReflectionObject, string>();

  constructor(private readonly options: PoolOptions) {}

  addRoot(root: protobuf.Root): void {
    root.resolveAll();
    const definitions: { object: protobuf.ReflectionObject; packageName: string; rawName: string }[] = [];
    const collect = (namespace: protobuf.NamespaceBase, inherited: string | null): void => {
      for (const object of namespace.nestedArray) {
        if (isDefinition(object)) {
          const packageName = namespace instanceof protobuf.Root ? '' : bare(namespace);
          definitions.push({
            object,
            packageName,
            rawName: this.rawFileName(object, packageName, inherited),
          });
        } else if (object instanceof protobuf.Namespace) {
          // A descriptor-set Root records the file name on the package namespace only.
          collect(object, object.filename ?? inherited);
        }
      }
    };
    collect(root, root.filename ?? null);
    const absolute = definitions.map((entry) => entry.rawName).filter((name) => path.isAbsolute(name));
    const base = commonDirectory(absolute);
    const groups = new Map<string, FileGroup>();
    for (const { object, packageName, rawName } of definitions) {
      const name = this.relativeName(rawName, base);
      let group = groups.get(name);
      if (group === undefined) {
        // descriptor.proto is proto2 (defaults, extension ranges) though protobufjs bundles it as JSON.
        const edition = name === 'google/protobuf/descriptor.proto' ? 'proto2' : editionOf(object);
        group = { name, packageName, edition, definitions: [] };
        groups.set(name, group);
      }
      group.definitions.push(object);
      this.fileOf.set(object, name);
    }
    for (const group of groups.values()) {
      // The first Root that declares a file wins (a well-known type shared by several Roots).
      if (this.files.has(group.name)) continue;
      this.addFile(group);
    }
  }

  private rawFileName(
    object: protobuf.ReflectionObject,
    packageName: string,
    inherited: string | null,
  ): string {
    if (object.filename) return object.filename;
    if (packageName === 'google.protobuf') {
      const wellKnown = WELL_KNOWN_FILES[object.name];
      return `google/protobuf/${wellKnown ?? 'descriptor'}.proto`;
    }
    if (inherited !== null) return inherited;
    // protobufjs's own convention (Root#toDescriptor) for definitions of no known file.
    return `${packageName === '' ? 'root' : packageName.replace(/\./g, '_')}.proto`;
  }

  private relativeName(rawName: string, base: string | undefined): string {
    if (!path.isAbsolute(rawName)) return toPosix(rawName);
    for (const dir of this.options.includeDirs ?? []) {
      const relative = path.relative(path.resolve(dir), rawName);
      if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative))
        return toPosix(relative);
    }
    return toPosix(base === undefined ? path.basename(rawName) : path.relative(base, rawName));
  }

  private fileOfType(object: protobuf.ReflectionObject): string | undefined {
    return this.fileOf.get(topLevel(object));
  }

  private addFile(group: FileGroup): void {
    const converter = new FileConverter(group, (object) => this.fileOfType(object));
    const file = descriptor.FileDescriptorProto.create({ name: group.name }) as unknown as FileProto;
    if (group.packageName !== '') file.package = group.packageName;
    if (group.edition === 'proto3') file.syntax = 'proto3';
    else if (group.edition !== 'proto2') file.syntax = 'editions';
    for (const object of group.definitions) {
      this.index(object);
      if (object instanceof protobuf.Type) {
        file.messageType.push(converter.message(object));
      } else if (object instanceof protobuf.Enum) {
        file.enumType.push(toDescriptor(object));
      } else if (object instanceof protobuf.Service) {
        const service = toDescriptor<object>(object);
        for (const method of object.methodsArray) {
          converter.depend(method.resolvedRequestType);
          converter.depend(method.resolvedResponseType);
        }
        file.service.push(service);
      } else if (object instanceof protobuf.Field) {
        file.extension.push(converter.field(object));
      }
    }
    file.dependency = [...converter.dependencies];
    const bytes = descriptor.FileDescriptorProto.encode(file).finish();
    this.files.set(group.name, { name: group.name, dependencies: file.dependency, bytes });
  }

  /** Records the symbols declared by a top-level definition (and those nested in it). */
  private index(object: protobuf.ReflectionObject): void {
    const file = this.fileOfType(object);
    if (file === undefined) return;
    const add = (name: string): void => {
      if (!this.symbols.has(name)) this.symbols.set(name, file);
    };
    add(bare(object));
    if (object instanceof protobuf.Type) {
      this.messages.add(bare(object));
      for (const field of object.fieldsArray) {
        if (field.declaringField === null) add(`${bare(object)}.${field.name}`);
      }
      for (const nested of object.nestedArray) this.index(nested);
    } else if (object instanceof protobuf.Enum) {
      // Enum values are scoped like their enum (C++ rules): siblings of it.
      const scope =
        object.parent === null || object.parent instanceof protobuf.Root ? '' : `${bare(object.parent)}.`;
      for (const value of Object.keys(object.values)) add(`${scope}${value}`);
    } else if (object instanceof protobuf.Service) {
      for (const method of object.methodsArray) add(`${bare(object)}.${method.name}`);
    } else if (object instanceof protobuf.Field && object.extensionField !== null) {
      const extended = object.extensionField.parent;
      if (extended !== null) {
        let numbers = this.extensions.get(bare(extended));
        if (numbers === undefined) {
          numbers = new Map();
          this.extensions.set(bare(extended), numbers);
        }
        if (!numbers.has(object.id)) numbers.set(object.id, file);
      }
    }
  }
}

/** Converts the definitions of one file, collecting the files they refer to. */
class FileConverter {
  /** The files this one imports. */
  readonly dependencies = new Set<string>();

  constructor(
    private readonly group: FileGroup,
    private readonly fileOfType: (object: protobuf.ReflectionObject) => string | undefined,
  ) {}

  /** Records the import of the file declaring `object` (if another file). */
  depend(object: protobuf.ReflectionObject | null | undefined): void {
    if (object === null || object === undefined) return;
    const file = this.fileOfType(object);
    if (file !== undefined && file !== this.group.name) this.dependencies.add(file);
  }

  field(field: protobuf.Field): FieldProto {
    const { edition } = this.group;
    const result = toDescriptor<FieldProto>(field, edition);
    if (field.resolvedType !== null && !(field instanceof protobuf.MapField)) {
      result.typeName = field.resolvedType.fullName;
      this.depend(field.resolvedType);
    }
    if (field.extensionField?.parent) this.depend(field.extensionField.parent);
    if (field.options?.proto3_optional === true) {
      delete result.proto3_optional;
      result.proto3Optional = true;
    }
    // protoc only allows `packed` on repeated scalar numbers and enums (and editions not at all);
    // protobufjs writes packed=false on every other proto3 repeated field.
    if (result.options && ((edition !== 'proto2' && edition !== 'proto3') || !isPackable(field))) {
      delete result.options.packed;
      if (Object.keys(result.options).length === 0) delete result.options;
    }
    return result;
  }

  message(type: protobuf.Type): MessageProto {
    // Oneofs, ranges, reserved names and options as protobufjs converts them; fields and nested
    // declarations rebuilt below.
    const result = toDescriptor<MessageProto>(type, this.group.edition);
    result.field = [];
    result.nestedType = [];
    result.enumType = [];
    result.extension = [];
    for (const field of type.fieldsArray) {
      // The sister field protobufjs adds to an extended message belongs to the extension's file.
      if (field.declaringField !== null) continue;
      const converted = this.field(field);
      if (field instanceof protobuf.MapField) {
        const entryName = mapEntryName(field.name);
        converted.typeName = `${type.fullName}.${entryName}`;
        const value = descriptor.FieldDescriptorProto.create({
          name: 'value',
          number: 2,
          label: 1,
          type: scalarType(field),
        }) as FieldProto;
        if (field.resolvedType !== null) {
          value.typeName = field.resolvedType.fullName;
          this.depend(field.resolvedType);
        }
        converted.type = 11;
        result.nestedType.push(
          descriptor.DescriptorProto.create({
            name: entryName,
            field: [
              descriptor.FieldDescriptorProto.create({
                name: 'key',
                number: 1,
                label: 1,
                type: SCALAR_TYPES[field.keyType] ?? 9,
              }),
              value,
            ],
            options: descriptor.MessageOptions.create({ mapEntry: true }),
          }) as unknown as MessageProto,
        );
      }
      result.field.push(converted);
    }
    for (const nested of type.nestedArray) {
      if (nested instanceof protobuf.Type) result.nestedType.push(this.message(nested));
      else if (nested instanceof protobuf.Enum) result.enumType.push(toDescriptor(nested));
      else if (nested instanceof protobuf.Field) result.extension.push(this.field(nested));
    }
    syntheticOneofsLast(type, result);
    return result;
  }
}

const SCALAR_TYPES: Readonly<Record<string, number>> = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  bytes: 12,
  uint32: 13,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
};

function isPackable(field: protobuf.Field): boolean {
  if (!field.repeated || field instanceof protobuf.MapField) return false;
  if (field.resolvedType instanceof protobuf.Enum) return true;
  return field.type !== 'string' && field.type !== 'bytes' && SCALAR_TYPES[field.type] !== undefined;
}

function scalarType(field: protobuf.Field): number {
  const scalar = SCALAR_TYPES[field.type];
  if (scalar !== undefined) return scalar;
  return field.resolvedType instanceof protobuf.Enum ? 14 : 11;
}

/** protoc's name of a map field's entry message: `point_counts` -> `PointCountsEntry`. */
function mapEntryName(fieldName: string): string {
  const camel = fieldName.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1).replace(/_/g, '')}Entry`;
}

/** protoc puts the synthetic oneofs of proto3 `optional` fields after the real ones. */
function syntheticOneofsLast(type: protobuf.Type, result: MessageProto): void {
  const oneofs = type.oneofsArray;
  const synthetic = oneofs.map(
    (oneof) => oneof.fieldsArray.length === 1 && oneof.fieldsArray[0]?.options?.proto3_optional === true,
  );
  if (!synthetic.some(Boolean)) return;
  const order = [...oneofs.keys()].sort((a, b) => Number(synthetic[a]) - Number(synthetic[b]) || a - b);
  const newIndex = new Map(order.map((oldIndex, position) => [oldIndex, position]));
  result.oneofDecl = order.map((oldIndex) => result.oneofDecl[oldIndex]!);
  for (const field of result.field) {
    if (typeof field.oneofIndex === 'number' && Object.hasOwn(field, 'oneofIndex')) {
      field.oneofIndex = newIndex.get(field.oneofIndex);
    }
  }
}

function editionOf(object: protobuf.ReflectionObject): string {
  const edition = (object as unknown as { _edition?: string | null })._edition;
  // Objects built from JSON carry no edition; protobufjs treats them as proto3.
  return edition ?? 'proto3';
}

function commonDirectory(files: readonly string[]): string | undefined {
  if (files.length === 0) return undefined;
  let common = path.dirname(files[0]!);
  for (const file of files) {
    while (common !== path.dirname(common) && path.relative(common, file).startsWith('..')) {
      common = path.dirname(common);
    }
  }
  return common;
}

/**
 * Builds the pool of the files declared in `roots` (earlier Roots win when two declare the same
 * file or symbol).
 */
export function buildDescriptorPool(
  roots: readonly protobuf.Root[],
  options: PoolOptions = {},
): DescriptorPool {
  const builder = new PoolBuilder(options);
  for (const root of roots) builder.addRoot(root);
  return builder;
}

/** The file named `name` and every file it imports, transitively, each once: the file first. */
export function withDependencies(pool: DescriptorPool, name: string): PoolFile[] | undefined {
  const first = pool.files.get(name);
  if (first === undefined) return undefined;
  const seen = new Map<string, PoolFile>();
  const visit = (file: PoolFile): void => {
    if (seen.has(file.name)) return;
    seen.set(file.name, file);
    for (const dependency of file.dependencies) {
      const found = pool.files.get(dependency);
      if (found !== undefined) visit(found);
    }
  };
  visit(first);
  return [...seen.values()];
}
