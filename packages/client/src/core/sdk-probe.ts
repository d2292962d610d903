// Whether an OpenTelemetry SDK is registered, shared by the HTTP and gRPC clients. Without one,
// spans would be non-recording and never seen, so calls carry only ids. Rechecked at most every
// 250 ms: an SDK may be registered after the client is created.
import { ProxyTracerProvider, trace } from '@opentelemetry/api';

// The API's no-op provider (a module singleton): what the global proxy delegates to without an SDK.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

export class SdkProbe {
  readonly #explicitTracer: boolean;
  #checkAt = Number.NEGATIVE_INFINITY;
  #noSdk = false;

  /** `explicitTracer`: the user passed a tracer, so spans are theirs to judge, SDK or not. */
  constructor(explicitTracer: boolean) {
    this.#explicitTracer = explicitTracer;
  }

  noSdk(now: number): boolean {
    if (now < this.#checkAt) return this.#noSdk;
    this.#checkAt = now + 250;
    if (this.#explicitTracer) this.#noSdk = false;
    else {
      const provider = trace.getTracerProvider();
      this.#noSdk = provider instanceof ProxyTracerProvider && provider.getDelegate() === NOOP_PROVIDER;
    }
    return this.#noSdk;
  }
}
