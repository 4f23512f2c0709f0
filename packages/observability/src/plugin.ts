import {
  type CallTelemetry,
  type ClientCallInfo,
  type ClientCallTelemetry,
  deregisterTelemetry,
  registerTelemetry,
  type ServerCallInfo,
  type ServerCallTelemetry,
} from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import {
  context,
  isSpanContextValid,
  type MeterProvider,
  metrics,
  propagation,
  SpanKind,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { clientInstruments, serverInstruments } from './instruments.js';
import {
  ClientCallRecorder,
  ClientMethod,
  METADATA_GETTER,
  METHOD_CACHE_LIMIT,
  methodName,
  OTHER,
  type PluginState,
  propagating,
  ScopedServerCallRecorder,
  ServerCallRecorder,
  ServerMethod,
  TARGET_CACHE_LIMIT,
} from './recorders.js';
import { canonicalTarget } from './target.js';

/** The name of the meter and of the tracer (gRFC A66: a name that identifies the library). */
export const INSTRUMENTATION_NAME = 'grpc-aio';
/** The version of the meter and of the tracer: this package's. */
export const INSTRUMENTATION_VERSION = '0.1.0';

/** A channel target: its `grpc.target` value, and its methods' attribute objects. */
interface ClientTarget {
  readonly value: string;
  readonly methods: Map<string, ClientMethod>;
}

/** Options of {@link OpenTelemetryPlugin} (Python's `OpenTelemetryPlugin` keyword arguments). */
export interface OpenTelemetryPluginOptions {
  /** Where the metrics go; default: the global meter provider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider | null | undefined;
  /** Where the spans go; default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider | null | undefined;
  /**
   * Called with a channel's canonical target (`dns:///localhost:50051`): false records
   * `grpc.target` as `"other"` (for processes that make channels to many addresses). Default: every
   * target is recorded.
   */
  targetAttributeFilter?: ((target: string) => boolean) | null | undefined;
  /**
   * Called on the server with the method name (`package.Service/Method`) of a call that no
   * registered handler serves (generic handlers, unknown methods): true records it as
   * `grpc.method`, false as `"other"`. Default: `"other"` for every such call, so that clients
   * cannot make the metrics' cardinality grow.
   */
  genericMethodAttributeFilter?: ((method: string) => boolean) | null | undefined;
}

const PLUGIN_OPTIONS = new Set([
  'meterProvider',
  'tracerProvider',
  'targetAttributeFilter',
  'genericMethodAttributeFilter',
]);

function checkFilter(name: string, filter: unknown): ((value: string) => boolean) | undefined {
  if (filter == null) return undefined;
  if (typeof filter !== 'function')
    throw new TypeError(`OpenTelemetryPlugin option ${name} must be a function, got ${typeof filter}.`);
  return filter as (value: string) => boolean;
}

/** True when `filter` accepts `value`; a filter that throws rejects it. */
function accepts(filter: (value: string) => boolean, value: string): boolean {
  try {
    return filter(value) === true;
  } catch {
    return false;
  }
}

/**
 * OpenTelemetry for grpc-aio channels and servers (Python's `grpc_observability.OpenTelemetryPlugin`):
 * the metrics of gRFC A66 and one span per call (CLIENT on channels, SERVER on servers), with trace
 * context propagated in the request metadata through the global propagator.
 *
 * Use it for every channel and server with {@link OpenTelemetryPlugin.registerGlobal}, or for one
 * channel or server with its `telemetry` option (`insecureChannel(target, { telemetry: plugin })`,
 * `server({ telemetry: plugin })`).
 *
 * @example
 * using plugin = new OpenTelemetryPlugin({ meterProvider }).registerGlobal();
 */
export class OpenTelemetryPlugin implements CallTelemetry {
  readonly #state: PluginState;
  readonly #targetFilter: ((target: string) => boolean) | undefined;
  readonly #methodFilter: ((method: string) => boolean) | undefined;
  // Channel targets (as given) -> their methods; server methods, registered and not.
  readonly #targets = new Map<string, ClientTarget>();
  #clientMethods = 0;
  readonly #registered = new Map<string, ServerMethod>();
  readonly #unregistered = new Map<string, ServerMethod>();

  /**
   * @param options the providers (default: the global ones) and the attribute filters.
   * @throws TypeError for an option it does not take, or a filter that is not a function.
   */
  constructor(options: OpenTelemetryPluginOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('new OpenTelemetryPlugin() options must be an object.');
    rejectUnknownOptions('new OpenTelemetryPlugin()', options, PLUGIN_OPTIONS);
    this.#targetFilter = checkFilter('targetAttributeFilter', options.targetAttributeFilter);
    this.#methodFilter = checkFilter('genericMethodAttributeFilter', options.genericMethodAttributeFilter);
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
      INSTRUMENTATION_NAME,
      INSTRUMENTATION_VERSION,
    );
    this.#state = {
      client: clientInstruments(meter),
      server: serverInstruments(meter),
      tracer: (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
        INSTRUMENTATION_NAME,
        INSTRUMENTATION_VERSION,
      ),
    };
  }

  /**
   * Instruments every channel and server (Python's `register_global()`): from now on, every call
   * that starts on a channel or server without its own `telemetry` option reports to this plugin.
   * @returns this plugin, so that `using plugin = new OpenTelemetryPlugin().registerGlobal()`
   *   deregisters it at the end of the scope.
   */
  registerGlobal(): this {
    registerTelemetry(this);
    return this;
  }

  /** Undoes {@link OpenTelemetryPlugin.registerGlobal} (Python's `deregister_global()`); calls already running still report. */
  deregisterGlobal(): void {
    deregisterTelemetry(this);
  }

  /** Deregisters the plugin (Python's `with` block). */
  [Symbol.dispose](): void {
    this.deregisterGlobal();
  }

  /** For channels (the `CallTelemetry` contract of `@grpc-aio/core`): the recorder of a new call. */
  clientCall(info: ClientCallInfo): ClientCallTelemetry {
    return new ClientCallRecorder(this.#state, this.#clientMethod(info.target, info.method));
  }

  /** For servers (the `CallTelemetry` contract of `@grpc-aio/core`): the recorder of a new call. */
  serverCall(info: ServerCallInfo): ServerCallTelemetry {
    const state = this.#state;
    const method = this.#serverMethod(info.method, info.registered);
    const active = context.active();
    const parent = propagating()
      ? propagation.extract(active, { metadata: info.metadata }, METADATA_GETTER)
      : active;
    const span = state.tracer.startSpan(
      method.name,
      { kind: SpanKind.SERVER, attributes: method.span },
      parent,
    );
    state.server.callStarted.add(1, method.started);
    // The handler runs in the context when there is something in it to give: the span, or what
    // the propagator extracted (a remote parent, baggage) even under a no-op tracer.
    return isSpanContextValid(span.spanContext()) || parent !== active
      ? new ScopedServerCallRecorder(state, method, span, trace.setSpan(parent, span))
      : new ServerCallRecorder(state, method, span);
  }

  #clientMethod(target: string, path: string): ClientMethod {
    let known = this.#targets.get(target);
    if (known === undefined) {
      const value = this.#target(target);
      // Past the bound on targets, nothing of this call is kept.
      if (this.#targets.size >= TARGET_CACHE_LIMIT) return new ClientMethod(methodName(path), value, target);
      known = { value, methods: new Map() };
      this.#targets.set(target, known);
    }
    const found = known.methods.get(path);
    if (found !== undefined) return found;
    const method = new ClientMethod(methodName(path), known.value, target);
    if (this.#clientMethods < METHOD_CACHE_LIMIT) {
      this.#clientMethods++;
      known.methods.set(path, method);
    }
    return method;
  }

  #serverMethod(path: string, registered: boolean): ServerMethod {
    const cache = registered ? this.#registered : this.#unregistered;
    const found = cache.get(path);
    if (found !== undefined) return found;
    const name = methodName(path);
    const filter = this.#methodFilter;
    const recorded = registered || (filter !== undefined && accepts(filter, name)) ? name : OTHER;
    const method = new ServerMethod(name, recorded);
    if (cache.size < METHOD_CACHE_LIMIT) cache.set(path, method);
    return method;
  }

  /** The `grpc.target` value of a channel target: canonical, or "other" when the filter rejects it. */
  #target(target: string): string {
    const canonical = canonicalTarget(target);
    const filter = this.#targetFilter;
    return filter === undefined || accepts(filter, canonical) ? canonical : OTHER;
  }
}
