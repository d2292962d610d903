// grpc-js's optional-argument conventions: (metadata?, options?, callback?) in any of its forms.
import type { CallOptions, Metadata } from '@grpc/grpc-js';
import type { UnaryCallback } from './unary-call.js';

export interface CallArguments {
  metadata: Metadata | undefined;
  options: CallOptions | undefined;
  callback: UnaryCallback | undefined;
}

// Duck-typed so that a Metadata from another copy of grpc-js is recognised too.
function isMetadata(v: unknown): v is Metadata {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Metadata).getMap === 'function' &&
    typeof (v as Metadata).clone === 'function'
  );
}

/** Parses `(metadata?, options?, callback?)`; `needCallback` for unary and client-streaming calls. */
export function callArguments(a: unknown, b: unknown, c: unknown, needCallback: boolean): CallArguments {
  let metadata: Metadata | undefined;
  let options: CallOptions | undefined;
  let callback: UnaryCallback | undefined;
  if (typeof a === 'function') callback = a as UnaryCallback;
  else if (typeof b === 'function') {
    callback = b as UnaryCallback;
    if (isMetadata(a)) metadata = a;
    else if (a !== undefined && a !== null) options = a as CallOptions;
  } else {
    if (isMetadata(a)) metadata = a;
    else if (a !== undefined && a !== null) {
      if (needCallback || typeof a !== 'object') throw new TypeError('Incorrect arguments passed');
      options = a as CallOptions;
    }
    if (b !== undefined && b !== null) options = b as CallOptions;
    if (typeof c === 'function') callback = c as UnaryCallback;
  }
  if (needCallback && callback === undefined) throw new TypeError('A callback is required');
  return { metadata, options, callback };
}
