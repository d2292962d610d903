/** A child did not report ready in time, or exited first; carries its last log lines for the report. */
export class ChildStartError extends Error {
  override readonly name = 'ChildStartError';
  readonly code = 'BREAKWATER_SHOP_CHILD_START';
  constructor(
    message: string,
    readonly id: string,
    readonly lastLines: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
