// Small undici helpers to talk to a service from outside (tests, scripts): one request, the whole
// body read, over a caller-owned Agent so nothing lingers after agent.close().
import { Agent, request } from 'undici';

export interface ProbeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface ProbeInit {
  readonly method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
}

/** An Agent for probes: short keep-alive, so closed servers leave no sockets behind. */
export function probeAgent(): Agent {
  return new Agent({ keepAliveTimeout: 100, keepAliveMaxTimeout: 100 });
}

export async function probe(agent: Agent, url: string, init: ProbeInit = {}): Promise<ProbeResponse> {
  const isJson = init.body !== undefined && typeof init.body !== 'string';
  const res = await request(url, {
    dispatcher: agent,
    method: init.method ?? 'GET',
    headers: { ...(isJson ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body === undefined ? {} : { body: isJson ? JSON.stringify(init.body) : (init.body as string) }),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}
