// Test support: an SDK tracer with an in-memory exporter, and a minimal AsyncLocalStorage context
// manager (the real one lives in @opentelemetry/context-async-hooks, not installed here).
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export function sdk(): {
  provider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
} {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, exporter, spans: () => exporter.getFinishedSpans() };
}

export class AlsContextManager implements ContextManager {
  readonly #als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#als.run(context, () => fn.call(thisArg, ...args));
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#als.disable();
    return this;
  }
}

/** The span's parent span id across SDK 1.x (parentSpanId) and 2.x (parentSpanContext). */
export function parentSpanId(span: ReadableSpan): string | undefined {
  return (span as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId;
}
