import { describe, expect, it } from 'vitest';
import { METADATA_READ_ONLY, Metadata } from './index.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('Metadata', () => {
  it('A11 builds from pairs; size and length count every value', () => {
    const md = new Metadata(['a', '1'], ['b', '2'], ['a', '3']);
    expect(md.size).toBe(3);
    expect(md.length).toBe(3);
    expect(new Metadata().size).toBe(0);
  });

  it('A11 iteration groups values by key in first-seen key order (as Python)', () => {
    const md = new Metadata(['a', '1'], ['b', '2'], ['a', '3']);
    expect([...md]).toEqual([
      ['a', '1'],
      ['a', '3'],
      ['b', '2'],
    ]);
    expect([...md.keys()]).toEqual(['a', 'b']);
    expect([...md.values()]).toEqual(['1', '3', '2']);
    expect([...md.entries()]).toEqual([...md]);
  });

  it('A12 get returns the first value, undefined or the default when absent', () => {
    const md = new Metadata(['a', '1'], ['a', '2']);
    expect(md.get('a')).toBe('1');
    expect(md.get('missing')).toBeUndefined();
    expect(md.get('missing', 'fallback')).toBe('fallback');
  });

  it('A13 set replaces the first value only and keeps the rest; adds an absent key', () => {
    const md = new Metadata(['a', '1'], ['a', '2'], ['b', '3']);
    md.set('a', 'x');
    expect(md.getAll('a')).toEqual(['x', '2']);
    md.set('c', 'new');
    expect([...md]).toEqual([
      ['a', 'x'],
      ['a', '2'],
      ['b', '3'],
      ['c', 'new'],
    ]);
    expect(md.size).toBe(4);
  });

  it('A14 delete removes the first value; false for a missing key; deleteAll removes all', () => {
    const md = new Metadata(['a', '1'], ['a', '2'], ['b', '3']);
    expect(md.delete('a')).toBe(true);
    expect(md.getAll('a')).toEqual(['2']);
    expect(md.delete('a')).toBe(true);
    expect(md.has('a')).toBe(false);
    expect(md.delete('a')).toBe(false);
    expect(md.deleteAll('b')).toBe(true);
    expect(md.deleteAll('b')).toBe(false);
    expect(md.size).toBe(0);
  });

  it('A15 add, getAll ([] when absent), setAll, has', () => {
    const md = new Metadata();
    expect(md.add('k', 'v1').add('k', 'v2')).toBe(md);
    expect(md.getAll('k')).toEqual(['v1', 'v2']);
    expect(md.getAll('nope')).toEqual([]);
    md.setAll('k', ['z']);
    expect(md.getAll('k')).toEqual(['z']);
    expect(md.has('k')).toBe(true);
    md.setAll('k', []);
    expect(md.has('k')).toBe(false);
    expect(md.size).toBe(0);
  });

  it('A15 getAll returns a copy that does not alias the store', () => {
    const md = new Metadata(['k', 'v']);
    md.getAll('k').push('x');
    expect(md.getAll('k')).toEqual(['v']);
  });

  it('A16 equals another Metadata or a pair list, in iteration order; bytes by content', () => {
    const a = new Metadata(['k', 'v'], ['x-bin', bytes(1, 2)]);
    expect(a.equals(new Metadata(['k', 'v'], ['x-bin', bytes(1, 2)]))).toBe(true);
    expect(
      a.equals([
        ['k', 'v'],
        ['x-bin', bytes(1, 2)],
      ]),
    ).toBe(true);
    expect(a.equals(new Metadata(['x-bin', bytes(1, 2)], ['k', 'v']))).toBe(false);
    expect(a.equals(new Metadata(['k', 'v'], ['x-bin', bytes(1, 3)]))).toBe(false);
    expect(a.equals([['k', 'v']])).toBe(false);
    // Python compares tuple(self), grouped by key, with the raw tuple.
    const grouped = new Metadata(['a', '1'], ['b', '2'], ['a', '3']);
    expect(
      grouped.equals([
        ['a', '1'],
        ['b', '2'],
        ['a', '3'],
      ]),
    ).toBe(false);
  });

  it('A16 concat returns a new Metadata and leaves both operands alone', () => {
    const a = new Metadata(['a', '1']);
    const b = new Metadata(['b', '2']);
    const sum = a.concat(b);
    expect([...sum]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(a.concat([['a', '2']]).getAll('a')).toEqual(['1', '2']);
    expect(a.size).toBe(1);
    expect(b.size).toBe(1);
    expect(() => a.concat([['A', 'x']])).toThrow(TypeError);
  });

  it('A16 toString is Python repr', () => {
    expect(String(new Metadata())).toBe('Metadata(())');
    expect(String(new Metadata(['a', '1']))).toBe("Metadata((('a', '1'),))");
    expect(String(new Metadata(['a', "it's"], ['x-bin', bytes(0, 0x41, 0xff, 0x27)]))).toBe(
      `Metadata((('a', "it's"), ('x-bin', b"\\x00A\\xff'")))`,
    );
  });

  it('A16 fromTuple accepts pairs, null and undefined', () => {
    expect(Metadata.fromTuple([['a', '1']]).get('a')).toBe('1');
    expect(Metadata.fromTuple(null).size).toBe(0);
    expect(Metadata.fromTuple(undefined).size).toBe(0);
  });

  it('A17 -bin keys carry bytes (Buffer works too)', () => {
    const md = new Metadata(['trace-bin', bytes(1, 2, 3)]);
    md.add('other-bin', Buffer.from('hi'));
    expect(md.get('trace-bin')).toEqual(bytes(1, 2, 3));
    expect(md.get('other-bin')).toBeInstanceOf(Uint8Array);
  });

  describe('A17 validation: a TypeError that names the key', () => {
    const cases: [string, () => unknown, string][] = [
      [
        'uppercase key',
        () => new Metadata(['Key', 'v']),
        'Metadata key "Key" is invalid: keys may hold only lowercase ASCII letters, digits, "-", "_" and ".".',
      ],
      ['empty key', () => new Metadata(['', 'v']), 'Metadata key must not be empty.'],
      [
        'space in key',
        () => new Metadata().add('a b', 'v'),
        'Metadata key "a b" is invalid: keys may hold only lowercase ASCII letters, digits, "-", "_" and ".".',
      ],
      ['number key', () => new Metadata([1 as never, 'v']), 'Metadata key must be a string, got number.'],
      [
        'bytes on a text key',
        () => new Metadata(['k', bytes(1) as never]),
        'Metadata value for key "k" must be a string, got Uint8Array (only "-bin" keys carry bytes).',
      ],
      [
        'text on a -bin key',
        () => new Metadata(['k-bin', 'text' as never]),
        'Metadata value for binary key "k-bin" must be a Uint8Array, got string.',
      ],
      [
        'number value',
        () => new Metadata(['k', 5 as never]),
        'Metadata value for key "k" must be a string, got number (only "-bin" keys carry bytes).',
      ],
      [
        'null value',
        () => new Metadata(['k', null as never]),
        'Metadata value for key "k" must be a string, got null (only "-bin" keys carry bytes).',
      ],
      [
        'newline in value',
        () => new Metadata(['k', 'a\nb']),
        'Metadata value for key "k" must be printable ASCII; found 0x0a at index 1.',
      ],
      [
        'non-ASCII value',
        () => new Metadata(['k', 'é']),
        'Metadata value for key "k" must be printable ASCII; found 0xe9 at index 0.',
      ],
      [
        'leading space',
        () => new Metadata(['k', ' a']),
        'Metadata value for key "k" must not start or end with a space (HTTP/2 forbids it; receivers drop such values).',
      ],
      [
        'trailing space',
        () => new Metadata().add('k', 'a '),
        'Metadata value for key "k" must not start or end with a space (HTTP/2 forbids it; receivers drop such values).',
      ],
      [
        'not a pair',
        () => new Metadata('ab' as never),
        'Metadata entries must be [key, value] pairs, got string.',
      ],
      [
        'triple',
        () => new Metadata(['a', 'b', 'c'] as never),
        'Metadata entries must be [key, value] pairs, got Array of length 3.',
      ],
      [
        'set with bad value',
        () => new Metadata().set('k', 7 as never),
        'Metadata value for key "k" must be a string, got number (only "-bin" keys carry bytes).',
      ],
      [
        'setAll with bad value',
        () => new Metadata().setAll('k-bin', ['x' as never]),
        'Metadata value for binary key "k-bin" must be a Uint8Array, got string.',
      ],
      [
        'from a number',
        () => Metadata.from(3 as never),
        'Metadata must be a Metadata or an iterable of [key, value] pairs, got number.',
      ],
    ];
    for (const [name, run, message] of cases) {
      it(name, () => {
        expect(run).toThrow(TypeError);
        expect(run).toThrow(message);
      });
    }
  });

  it('A17 Metadata.from: same instance for Metadata, validated copy for pairs, empty for null', () => {
    const md = new Metadata(['a', '1']);
    expect(Metadata.from(md)).toBe(md);
    expect(Metadata.from([['a', '1']]).equals(md)).toBe(true);
    expect(Metadata.from(null).size).toBe(0);
    expect(() => Metadata.from([['a', 1 as never]])).toThrow(TypeError);
  });

  it('an immutable view reflects changes and refuses mutation', () => {
    const md = new Metadata(['a', '1']);
    const view = md.asReadonly() as Metadata;
    expect(view.readonly).toBe(true);
    md.add('a', '2');
    expect(view.getAll('a')).toEqual(['1', '2']);
    expect(view.size).toBe(2);
    expect(() => view.add('b', 'x')).toThrow(METADATA_READ_ONLY);
    expect(() => view.set('a', 'x')).toThrow(TypeError);
    expect(() => view.delete('a')).toThrow(TypeError);
    expect(() => view.deleteAll('a')).toThrow(TypeError);
    expect(() => view.setAll('a', [])).toThrow(TypeError);
    expect(() => view.clear()).toThrow(TypeError);
    const copy = view.copy();
    copy.add('b', 'x');
    expect(md.has('b')).toBe(false);
  });

  it('toJSON renders bytes as base64', () => {
    const md = new Metadata(['a', '1'], ['x-bin', Buffer.from('hi')]);
    expect(JSON.stringify(md)).toBe('{"a":["1"],"x-bin":["aGk="]}');
  });
});

describe('duplicate copies', () => {
  it('A11 instanceof Metadata works between the built ESM and CJS copies', async () => {
    const { createRequire } = await import('node:module');
    const esm = await import('../dist/index.mjs');
    const cjs = createRequire(import.meta.url)('../dist/index.cjs');
    expect(esm.Metadata).not.toBe(cjs.Metadata);
    expect(new cjs.Metadata(['a', 'b'])).toBeInstanceOf(esm.Metadata);
    expect(new esm.Metadata()).toBeInstanceOf(cjs.Metadata);
    expect(new cjs.Metadata()).toBeInstanceOf(Metadata);
    // A foreign copy's instance is accepted wherever Metadata is, through its public API.
    const foreign = new cjs.Metadata(['k', 'v']);
    expect(Metadata.from(foreign)).toBe(foreign);
    expect(new Metadata(['k', 'v']).equals(foreign)).toBe(true);
    expect(new Metadata(['a', '1']).concat(foreign).get('k')).toBe('v');
  });
});
