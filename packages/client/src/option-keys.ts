// Unknown option keys are configuration errors: `timeout: 100` where `timeoutMs` was meant would
// otherwise be ignored silently and the default used. Each options object is checked against the
// keys its type declares; the error names the path and the nearest known key.

/** Throws a TypeError naming `path.key` (and a did-you-mean) for a key of `obj` not in `known`. */
export function rejectUnknownKeys(path: string, obj: object, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    const where = path === '' ? key : `${path}.${key}`;
    throw new TypeError(
      `${where} is not an option${near === undefined ? '' : ` (did you mean ${path === '' ? near : `${path}.${near}`}?)`}; known: ${known.join(', ')}`,
    );
  }
}

/** The known key closest to `key` (case-insensitive edit distance ≤ 1/3 of its length, at least 2), if any. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(k.length / 3)) + 1;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    const d = c.startsWith(k) || k.startsWith(c) ? 1 : distance(k, c);
    if (d < bestD) {
      best = candidate;
      bestD = d;
    }
  }
  return best;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

export const CALL_POLICY_KEYS = ['retry', 'hedge', 'timeoutMs', 'perTryTimeoutMs', 'idempotent'] as const;
export const SERVICE_POLICY_KEYS = [
  ...CALL_POLICY_KEYS,
  'balancer',
  'endpointBreaker',
  'serviceBreaker',
  'bulkhead',
  'budget',
  'pool',
  'routes',
  'hashKey',
] as const;
export const ROUTE_KEYS = [...CALL_POLICY_KEYS, 'method', 'path'] as const;
export const RETRY_KEYS = ['maxAttempts', 'backoff', 'statuses', 'retryAfter', 'maxRetryAfterMs'] as const;
export const HEDGE_KEYS = ['delayMs', 'percentile', 'minDelayMs', 'maxHedged'] as const;
export const POOL_KEYS = ['connections', 'keepAliveTimeoutMs', 'pipelining', 'drainTimeoutMs'] as const;
export const CLIENT_KEYS = [
  'registry',
  'services',
  'defaults',
  'unknownHosts',
  'metrics',
  'tracing',
  'propagateDeadline',
  'timerResolutionMs',
  'evaluateIntervalMs',
  'clock',
  'random',
  'undici',
] as const;
