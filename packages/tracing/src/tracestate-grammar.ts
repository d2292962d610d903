// The tracestate list-member grammar of W3C Trace Context Level 2:
//   key              = simple-key / multi-tenant-key
//   simple-key       = lcalpha 0*255( lcalpha / DIGIT / "_" / "-" / "*" / "/" )
//   multi-tenant-key = tenant-id "@" system-id
//   tenant-id        = ( lcalpha / DIGIT ) 0*240( lcalpha / DIGIT / "_" / "-" / "*" / "/" )
//   system-id        = lcalpha 0*13( lcalpha / DIGIT / "_" / "-" / "*" / "/" )
//   value            = 0*255( chr ) nblk-chr
//   nblk-chr         = %x21-2B / %x2D-3C / %x3E-7E
//   chr              = %x20 / nblk-chr

/** Most list-members a tracestate may carry. */
export const MAX_MEMBERS = 32;
/** Longest key (simple-key: 1 + 255). */
export const MAX_KEY_LENGTH = 256;
/** Longest value (255 chr + 1 nblk-chr). */
export const MAX_VALUE_LENGTH = 256;
const MAX_TENANT_LENGTH = 241;
const MAX_SYSTEM_LENGTH = 14;

function isLcAlpha(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isKeyChar(c: number): boolean {
  // lcalpha / DIGIT / "_" / "-" / "*" / "/"
  return isLcAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2a || c === 0x2f;
}

/** Checks s[from, to) against the key grammar. */
export function isValidKeyRange(s: string, from: number, to: number): boolean {
  const len = to - from;
  if (len < 1 || len > MAX_KEY_LENGTH) return false;
  let at = -1;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x40) {
      if (at !== -1) return false; // at most one "@"
      at = i;
    } else if (!isKeyChar(c)) {
      return false;
    }
  }
  const first = s.charCodeAt(from);
  if (at === -1) return isLcAlpha(first);
  const tenant = at - from;
  const system = to - at - 1;
  return (
    tenant >= 1 &&
    tenant <= MAX_TENANT_LENGTH &&
    (isLcAlpha(first) || isDigit(first)) &&
    system >= 1 &&
    system <= MAX_SYSTEM_LENGTH &&
    isLcAlpha(s.charCodeAt(at + 1))
  );
}

/** Checks s[from, to) against the value grammar. */
export function isValidValueRange(s: string, from: number, to: number): boolean {
  const len = to - from;
  if (len < 1 || len > MAX_VALUE_LENGTH) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return s.charCodeAt(to - 1) !== 0x20;
}

/** true when `key` is a valid tracestate key (simple or `tenant@system`). */
export function isValidTracestateKey(key: string): boolean {
  return typeof key === 'string' && isValidKeyRange(key, 0, key.length);
}

/** true when `value` is a valid tracestate value (1–256 printable ASCII, no `,` or `=`, no trailing space). */
export function isValidTracestateValue(value: string): boolean {
  return typeof value === 'string' && isValidValueRange(value, 0, value.length);
}
