// Minimal ANSI styling; every function is the identity when colour is off (pipes, tests, NO_COLOR).

export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  magenta(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap =
  (open: number, close: number) =>
  (s: string): string =>
    `\x1b[${open}m${s}\x1b[${close}m`;

export const COLOR: Style = Object.freeze({
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  magenta: wrap(35, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
});

const id = (s: string): string => s;
export const PLAIN: Style = Object.freeze({ green: id, yellow: id, red: id, magenta: id, dim: id, bold: id });

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ESCAPES = /\x1b\[[0-9;]*[A-Za-z]/g;

/** The printed width of a line, escapes removed (one column per code point; fine for the glyphs used here). */
export function visibleLength(line: string): number {
  return [...line.replace(ESCAPES, '')].length;
}

export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, '');
}

/** Colours a breaker state: closed green, half-open yellow, open red, isolated magenta, none dim. */
export function breakerColor(style: Style, state: string): string {
  switch (state) {
    case 'closed':
      return style.green(state);
    case 'half-open':
      return style.yellow(state);
    case 'open':
      return style.red(state);
    case 'isolated':
      return style.magenta(state);
    default:
      return style.dim(state);
  }
}
