// Classes that cross package boundaries (Metadata, the errors, EOF) can be loaded twice in one
// process: once from the ESM build and once from the CJS build, or from two nested installs.
// `instanceof` must still work across those copies, so each branded class answers
// `Symbol.hasInstance` by looking for a brand string registered under a global symbol instead of
// by prototype identity.

const BRANDS: unique symbol = Symbol.for('grpc-aio.brands') as never;
const BRAND_ID: unique symbol = Symbol.for('grpc-aio.brand-id') as never;

interface Branded {
  readonly [BRANDS]?: readonly string[];
}

const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

function brandedHasInstance(this: Function, value: unknown): boolean {
  // A user's subclass that was not branded itself inherits this static method; it must keep the
  // ordinary prototype-chain meaning, or every UsageError would count as an instance of it.
  if (!Object.hasOwn(this, BRAND_ID)) return ordinaryHasInstance.call(this, value);
  return hasBrand(value, (this as unknown as Record<symbol, string>)[BRAND_ID]!);
}

/**
 * Gives `cls` a global brand `id` (for example `'@grpc-aio/errors.UsageError'`) so that
 * `value instanceof cls` is true for instances made by any copy of the same class, and for
 * instances of its subclasses. Call once, right after the class declaration.
 */
export function installBrand(cls: abstract new (...args: never[]) => unknown, id: string): void {
  const proto = cls.prototype as Branded;
  const inherited = (Object.getPrototypeOf(proto) as Branded | null)?.[BRANDS] ?? [];
  Object.defineProperty(proto, BRANDS, { value: Object.freeze([...inherited, id]) });
  Object.defineProperty(cls, BRAND_ID, { value: id });
  Object.defineProperty(cls, Symbol.hasInstance, { value: brandedHasInstance, configurable: true });
}

/** True when `value` carries the brand `id`, whichever copy of the class created it. */
function hasBrand(value: unknown, id: string): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const brands = (value as Branded)[BRANDS];
  return brands?.includes(id) === true;
}
