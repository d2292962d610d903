// Model-based test of the unary retry loop against real grpc-js servers: every attempt (on any of
// three endpoints) answers the next step of a generated script (OK, or a status with or without a
// `grpc-retry-pushback-ms`); a small reference model says how many attempts must be made and what
// the caller must see. Also checked: a fresh traceparent per attempt within one trace, attempts on
// endpoints not yet tried, nothing left in flight.
import { createGrpcClient, type GrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import { immediate } from '@breakwater/retry';
import { parseTraceparent } from '@breakwater/tracing';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';

interface Step {
  code: grpc.status;
  /** `grpc-retry-pushback-ms` value sent with the status. */
  pushback?: string;
}

// A JSON service built with makeGenericClientConstructor (no .proto at all).
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const parse = (b: Buffer): unknown => JSON.parse(b.toString());
const method = (name: string) => ({
  path: `/model.Echo/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: json,
  requestDeserialize: parse,
  responseSerialize: json,
  responseDeserialize: parse,
});
const definition = { Idem: method('Idem'), Plain: method('Plain') };
const Echo = grpc.makeGenericClientConstructor(definition, 'Echo');

let script: Step[] = [];
let seen: { port: number; traceparent: string }[] = [];
const servers: { server: grpc.Server; port: number }[] = [];
const clients: GrpcClient<InstanceType<grpc.ServiceClientConstructor>>[] = [];
let registry: StaticRegistry;

function handler(port: number) {
  return (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    const step = script[seen.length] ?? { code: grpc.status.OK };
    seen.push({ port, traceparent: String(call.metadata.get('traceparent')[0]) });
    if (step.code === grpc.status.OK) {
      cb(null, { ok: true, port });
      return;
    }
    const metadata = new grpc.Metadata();
    if (step.pushback !== undefined) metadata.set('grpc-retry-pushback-ms', step.pushback);
    cb({ code: step.code, details: 'scripted', metadata });
  };
}

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e === null ? resolve(p) : reject(e),
      ),
    );
    server.addService(Echo.service, { Idem: handler(port), Plain: handler(port) });
    servers.push({ server, port });
  }
  registry = new StaticRegistry({ echo: servers.map((s) => `127.0.0.1:${s.port}`) });
  // One client per maxAttempts; stateful policies off so runs do not influence each other.
  for (let maxAttempts = 1; maxAttempts <= 4; maxAttempts++) {
    clients.push(
      createGrpcClient(Echo, {
        registry,
        service: 'echo',
        idempotentMethods: ['Idem'],
        retry: { maxAttempts, backoff: immediate },
        budget: false,
        endpointBreaker: false,
        serviceBreaker: false,
        balancer: { policy: 'round-robin', outlierDetection: false },
      }),
    );
  }
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await registry.close();
  for (const s of servers) s.server.forceShutdown();
});

/** The reference model: attempts made and the code the caller sees. */
function model(steps: Step[], idempotent: boolean, maxAttempts: number): { attempts: number; code: number } {
  for (let n = 1; ; n++) {
    const step = steps[n - 1] ?? { code: grpc.status.OK };
    if (step.code === grpc.status.OK) return { attempts: n, code: 0 };
    const p = step.pushback;
    const bad = p !== undefined && !/^\d+$/.test(p);
    const retryable =
      idempotent &&
      !bad &&
      (step.code === grpc.status.UNAVAILABLE ||
        (step.code === grpc.status.RESOURCE_EXHAUSTED && p !== undefined));
    if (!retryable || n >= maxAttempts) return { attempts: n, code: step.code };
  }
}

const stepArb: fc.Arbitrary<Step> = fc.record(
  {
    code: fc.constantFrom(
      grpc.status.OK,
      grpc.status.UNAVAILABLE,
      grpc.status.UNAVAILABLE,
      grpc.status.INTERNAL,
      grpc.status.NOT_FOUND,
      grpc.status.RESOURCE_EXHAUSTED,
    ),
    pushback: fc.constantFrom('0', '1', '-1', 'soon'),
  },
  { requiredKeys: ['code'] },
);

it('attempts, endpoints and the caller-visible outcome follow the reference model', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(stepArb, { maxLength: 5 }),
      fc.boolean(),
      fc.integer({ min: 1, max: 4 }),
      async (steps, idempotent, maxAttempts) => {
        script = steps;
        seen = [];
        const client = clients[maxAttempts - 1]!;
        const fn = idempotent ? client.Idem : client.Plain;
        const result = await new Promise<{ code: number; value?: unknown }>((resolve) => {
          fn!({ q: 1 }, (err: grpc.ServiceError | null, value: unknown) =>
            resolve(err === null ? { code: 0, value } : { code: err.code }),
          );
        });
        const expected = model(steps, idempotent, maxAttempts);
        expect(result.code).toBe(expected.code);
        expect(seen).toHaveLength(expected.attempts);
        if (result.code === 0) expect((result.value as { port: number }).port).toBe(seen.at(-1)!.port);
        const tps = seen.map((s) => parseTraceparent(s.traceparent));
        expect(tps.every((t) => t !== null)).toBe(true);
        expect(new Set(tps.map((t) => t!.traceId)).size).toBe(1);
        expect(new Set(tps.map((t) => t!.parentId)).size).toBe(tps.length);
        // Retries prefer endpoints not yet tried: the first three attempts hit three endpoints.
        const firstThree = seen.slice(0, 3).map((s) => s.port);
        expect(new Set(firstThree).size).toBe(firstThree.length);
        for (const e of client.endpoints()) expect(e.inFlight).toBe(0);
      },
    ),
    { seed: 20261126, numRuns: 1000 },
  );
});
