import protobuf from 'protobufjs';

// Checks a plain object against a message type before protobufjs's fromObject() sees it.
//
// protobufjs's own verify() does not fit this input: it checks the runtime form of a message
// (it rejects 64-bit integers given as strings or bigints and enum values given by name, which
// fromObject() accepts and proto-loader users send) and does not see unknown fields. fromObject()
// coerces instead of checking (`'abc'` becomes 0, `{}` becomes `'[object Object]'`). So this
// module checks exactly what fromObject() converts faithfully, and nothing else.
//
// A checker is compiled once per protobufjs Type (closures per field), so a check is a walk over
// the fields that are set, with no allocation unless it fails. On failure the path is assembled
// while the error unwinds.

/** The start of the message for a key that is no field of the message. */
export const UNKNOWN_FIELD = 'unknown field';
/** The message for two members of one oneof set at once. */
export const ONEOF_CONFLICT = 'more than one member of a oneof is set';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL = /^-?\d+$/;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;
const FLOAT_WORDS = new Set(['NaN', 'Infinity', '-Infinity']);

/** A failed check: the reason, and the path from the failing value up, assembled on the way out. */
class Invalid {
  readonly path: string[] = [];
  constructor(readonly reason: string) {}
}

type Check = (value: unknown) => void;

function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}...` : JSON.stringify(value);
    case 'bigint':
      return `${value}n`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'undefined':
      return 'undefined';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      if (value instanceof Uint8Array) return 'a Uint8Array';
      return 'an object';
  }
}

function fail(expected: string, value: unknown): never {
  throw new Invalid(`expected ${expected}, got ${describe(value)}`);
}

function integerCheck(expected: string, min: number, max: number): Check {
  return (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(expected, value);
    }
  };
}

function longCheck(unsigned: boolean): Check {
  const expected = unsigned
    ? 'a uint64 (a bigint, integer number or decimal string from 0 to 2^64-1)'
    : 'an int64 (a bigint, integer number or decimal string from -2^63 to 2^63-1)';
  const min = unsigned ? 0n : INT64_MIN;
  const max = unsigned ? UINT64_MAX : INT64_MAX;
  return (value) => {
    switch (typeof value) {
      case 'bigint':
        if (value >= min && value <= max) return;
        break;
      case 'number':
        if (Number.isSafeInteger(value) && (value >= 0 || !unsigned)) return;
        // Integers beyond 2^53 are inexact but still integers: accepted within range, as Python does.
        if (Number.isInteger(value) && BigInt(value) >= min && BigInt(value) <= max) return;
        break;
      case 'string':
        if (DECIMAL.test(value) && BigInt(value) >= min && BigInt(value) <= max) return;
        break;
      case 'object': {
        // A Long (or {low, high}): the runtime form protobufjs itself produces.
        const long = value as { low?: unknown; high?: unknown } | null;
        if (long !== null && Number.isInteger(long.low) && Number.isInteger(long.high)) return;
        break;
      }
    }
    fail(expected, value);
  };
}

function scalarCheck(type: string): Check {
  switch (type) {
    case 'double':
    case 'float':
      return (value) => {
        if (typeof value !== 'number' && !(typeof value === 'string' && FLOAT_WORDS.has(value))) {
          fail(`a ${type} (a number)`, value);
        }
      };
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return integerCheck(`an ${type} (an integer from -2^31 to 2^31-1)`, INT32_MIN, INT32_MAX);
    case 'uint32':
    case 'fixed32':
      return integerCheck(`a ${type} (an integer from 0 to 2^32-1)`, 0, UINT32_MAX);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return longCheck(false);
    case 'uint64':
    case 'fixed64':
      return longCheck(true);
    case 'bool':
      return (value) => {
        if (typeof value !== 'boolean') fail('a bool (true or false)', value);
      };
    case 'string':
      return (value) => {
        if (typeof value !== 'string') fail('a string', value);
      };
    case 'bytes':
      return (value) => {
        if (value instanceof Uint8Array) return;
        if (typeof value === 'string' && BASE64.test(value)) return;
        if (Array.isArray(value) && value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255))
          return;
        fail('bytes (a Uint8Array, a base64 string or an array of byte values)', value);
      };
    default:
      return () => {};
  }
}

function enumCheck(enumType: protobuf.Enum): Check {
  const names = new Set(Object.keys(enumType.values));
  const expected = `a ${enumType.name} value (an int32 or one of ${[...names].join(', ')})`;
  return (value) => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
      return;
    }
    if (typeof value === 'string' && names.has(value)) return;
    fail(expected, value);
  };
}

/** Adds `segment` to the path of a failed check on its way out; rethrows anything else. */
function rethrow(error: unknown, segment: string): never {
  if (error instanceof Invalid) error.path.push(segment);
  throw error;
}

const checkers = new WeakMap<protobuf.Type, Check>();

/** The checker of plain objects of `type`, compiled on first use. */
function messageCheck(type: protobuf.Type): Check {
  const cached = checkers.get(type);
  if (cached !== undefined) return cached;
  // Registered before the fields are compiled, so recursive types resolve to it; the fields are
  // compiled on first call so building one type's checker never builds the whole graph.
  let compiled: Check | undefined;
  const check: Check = (value) => (compiled ??= compileMessage(type))(value);
  checkers.set(type, check);
  return check;
}

function valueCheck(field: protobuf.Field): Check {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) return messageCheck(resolved);
  if (resolved instanceof protobuf.Enum) return enumCheck(resolved);
  return scalarCheck(field.type);
}

function mapKeyCheck(keyType: string): ((key: string) => boolean) | undefined {
  switch (keyType) {
    case 'string':
      return undefined;
    case 'bool':
      return (key) => key === 'true' || key === 'false';
    default:
      // Integer keys: object keys are strings; fromObject parses them as decimal.
      return (key) => DECIMAL.test(key);
  }
}

function compileMessage(type: protobuf.Type): Check {
  const typeName = type.fullName.replace(/^\./, '');
  const isAny = typeName === 'google.protobuf.Any';
  const ctor = type.ctor;
  const fields = type.fieldsArray.map((field) => {
    const value = valueCheck(field);
    let check: Check = value;
    if (field instanceof protobuf.MapField) {
      const keyOk = mapKeyCheck(field.keyType);
      check = (map) => {
        if (typeof map !== 'object' || map === null || Array.isArray(map) || map instanceof Uint8Array) {
          fail(`a map (an object keyed by ${field.keyType})`, map);
        }
        for (const key of Object.keys(map)) {
          const segment = `[${JSON.stringify(key)}]`;
          if (keyOk !== undefined && !keyOk(key)) {
            const error = new Invalid(`expected a ${field.keyType} map key, got ${JSON.stringify(key)}`);
            error.path.push(segment);
            throw error;
          }
          const entry = (map as Record<string, unknown>)[key];
          try {
            if (entry == null) throw new Invalid(`expected a map value, got ${describe(entry)}`);
            value(entry);
          } catch (error) {
            rethrow(error, segment);
          }
        }
      };
    } else if (field.repeated) {
      check = (list) => {
        if (!Array.isArray(list)) fail(`a list (an array)`, list);
        let index = 0;
        try {
          for (; index < list.length; index++) {
            const element: unknown = list[index];
            if (element == null) throw new Invalid(`expected a list element, got ${describe(element)}`);
            value(element);
          }
        } catch (error) {
          rethrow(error, `[${index}]`);
        }
      };
    }
    return { name: field.name, segment: `.${field.name}`, check };
  });
  const known = new Set<string>(fields.map(({ name }) => name));
  // The virtual oneof fields that decoding with `oneofs: true` adds: echoing a decoded message works.
  for (const oneof of type.oneofsArray) known.add(oneof.name);
  const oneofs = type.oneofsArray
    .filter((oneof) => oneof.fieldsArray.length > 1)
    .map((oneof) => ({ segment: `.${oneof.name}`, members: oneof.fieldsArray.map((field) => field.name) }));

  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
      fail(`a ${typeName} message (an object)`, value);
    }
    // protobufjs message instances are its runtime form: fromObject() passes them through as is.
    if (value instanceof ctor) return;
    const object = value as Record<string, unknown>;
    // The `{ '@type': ..., ...fields }` form protobufjs's Any wrapper converts.
    if (isAny && typeof object['@type'] === 'string') return;
    for (const key in object) {
      if (!known.has(key) && object[key] !== undefined && Object.hasOwn(object, key)) {
        const error = new Invalid(
          `${UNKNOWN_FIELD} (the fields of ${typeName} are: ${[...known].join(', ') || 'none'})`,
        );
        error.path.push(`.${key}`);
        throw error;
      }
    }
    // One try for all fields: a try per field costs more than the walk itself.
    let index = 0;
    try {
      for (; index < fields.length; index++) {
        const field = fields[index]!;
        const fieldValue = object[field.name];
        if (fieldValue != null) field.check(fieldValue);
      }
    } catch (error) {
      rethrow(error, fields[index]!.segment);
    }
    for (const { segment, members } of oneofs) {
      let set = 0;
      for (const member of members) if (object[member] != null) set++;
      if (set > 1) {
        const error = new Invalid(
          `${ONEOF_CONFLICT} (${members.filter((member) => object[member] != null).join(', ')})`,
        );
        error.path.push(segment);
        throw error;
      }
    }
  };
}

/**
 * The validator of `type`: it checks that a value is a valid plain-object form of the message (or
 * a protobufjs message instance of it, which is trusted), as the request and response serializers
 * do before encoding.
 * @throws TypeError naming the field by its path from the message's name, e.g.
 *   `DivideRequest.dividend: expected an int64 (...), got "abc"`.
 */
export function messageValidator(type: protobuf.Type): (object: unknown) => void {
  let check: Check | undefined;
  return (object) => {
    check ??= messageCheck(type);
    try {
      check(object);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      throw new TypeError(`${type.name}${error.path.reverse().join('')}: ${error.reason}`);
    }
  };
}
