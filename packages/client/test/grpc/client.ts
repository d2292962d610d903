// Helpers to drive a Breakwater gRPC client in tests.
import diagnostics from 'node:diagnostics_channel';
import type * as grpc from '@grpc/grpc-js';

export interface UnaryResult {
  value?: { message: string; server: string };
  error?: grpc.ServiceError;
}

type UnaryMethod = (
  req: unknown,
  md: grpc.Metadata | undefined,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, value?: unknown) => void,
) => grpc.ClientUnaryCall;

/** Calls a unary method and resolves with its value or error (never rejects). */
export function unary(
  method: unknown,
  req: unknown,
  opts: grpc.CallOptions = {},
  md?: grpc.Metadata,
): Promise<UnaryResult> {
  return new Promise((resolve) => {
    (method as UnaryMethod)(req, md, opts, (error, value) => {
      resolve(error === null ? { value: value as UnaryResult['value'] } : { error });
    });
  });
}

/** Collects the messages of `breakwater:attempt:start` while `fn` runs. */
export async function attemptsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; endpoints: string[] }> {
  const endpoints: string[] = [];
  const listener = (m: unknown): void => {
    endpoints.push((m as { endpoint: string }).endpoint);
  };
  diagnostics.subscribe('breakwater:attempt:start', listener);
  try {
    const result = await fn();
    return { result, endpoints };
  } finally {
    diagnostics.unsubscribe('breakwater:attempt:start', listener);
  }
}

/** Reads a whole server stream: the messages, then its error if any. */
export function readAll(
  stream: NodeJS.ReadableStream,
): Promise<{ messages: unknown[]; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    stream.on('data', (m: unknown) => messages.push(m));
    stream.on('error', (error: grpc.ServiceError) => resolve({ messages, error }));
    stream.on('end', () => resolve({ messages }));
  });
}
