/**
 * Renders a thrown value for a status message: `'TypeError: bad input'` for an Error,
 * `'string: boom'`, `'number: 42'`, `'Object: {"code":1}'`, `'null: null'` for anything else.
 */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === null) return 'null: null';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return `${typeof name === 'string' && name !== '' ? name : 'Object'}: ${render(value)}`;
  }
  return `${typeof value}: ${render(value)}`;
}

function render(value: unknown): string {
  try {
    if (typeof value === 'object' && value !== null) {
      const json = JSON.stringify(value);
      if (json !== undefined) return json;
    }
    return String(value);
  } catch {
    return '<unprintable>';
  }
}
