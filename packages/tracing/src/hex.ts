// Lookup tables for lowercase hex: one table read per character on the hot path, no regex.

/** IS_LC_HEX[charCode] === 1 for 0-9 and a-f (uppercase is not valid in traceparent). */
export const IS_LC_HEX: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x66; c++) t[c] = 1;
  return t;
})();

/** Two-character lowercase hex for every byte value: BYTE_HEX[0x0a] === '0a'. */
export const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
);

/** Value of a lowercase hex digit, assuming IS_LC_HEX[code] === 1. */
export function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : code - 0x57;
}

/** true when s[from, from + length) is all lowercase hex. */
export function isLowerHexRange(s: string, from: number, length: number): boolean {
  const end = from + length;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x66 || IS_LC_HEX[c] !== 1) return false;
  }
  return true;
}

/** true when s[from, from + length) is all '0'. */
export function isZeroRange(s: string, from: number, length: number): boolean {
  const end = from + length;
  for (let i = from; i < end; i++) if (s.charCodeAt(i) !== 0x30) return false;
  return true;
}
