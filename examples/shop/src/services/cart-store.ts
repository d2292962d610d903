// The cart's state: in memory, per instance (a real shop keeps carts in a shared store; the demo is
// about the calls, so a cart lives on the instance that took the POST).

export interface CartItem {
  readonly productId: string;
  readonly quantity: number;
}

export interface Cart {
  readonly user: string;
  readonly items: readonly CartItem[];
}

export const MAX_QUANTITY = 99;
export const MAX_LINES = 100;

export class CartStore {
  readonly #carts = new Map<string, Map<string, number>>();

  /** `maxLines`: distinct products per cart (default MAX_LINES). */
  constructor(readonly maxLines = MAX_LINES) {
    if (!Number.isInteger(maxLines) || maxLines < 1) {
      throw new RangeError(`maxLines must be a positive integer, got ${maxLines}`);
    }
  }

  get(user: string): Cart {
    const lines = this.#carts.get(user);
    return {
      user,
      items: lines === undefined ? [] : [...lines].map(([productId, quantity]) => ({ productId, quantity })),
    };
  }

  /** Adds to the line of `productId` (capped at MAX_QUANTITY); RangeError when the cart is full. */
  add(user: string, item: CartItem): Cart {
    let lines = this.#carts.get(user);
    if (lines === undefined) {
      lines = new Map();
      this.#carts.set(user, lines);
    }
    const current = lines.get(item.productId);
    if (current === undefined && lines.size >= this.maxLines) {
      throw new RangeError(`a cart holds at most ${this.maxLines} different products`);
    }
    lines.set(item.productId, Math.min(MAX_QUANTITY, (current ?? 0) + item.quantity));
    return this.get(user);
  }

  clear(user: string): void {
    this.#carts.delete(user);
  }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidId(value: string): boolean {
  return ID.test(value);
}

/** Validates a POST body; returns the item or a message saying what is wrong. */
export function parseCartItem(body: unknown): CartItem | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const { productId, quantity, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `unknown field ${extra[0]} (expected productId, quantity)`;
  if (typeof productId !== 'string' || !isValidId(productId)) {
    return 'productId must be a string of 1-64 letters, digits, _ or -';
  }
  if (
    typeof quantity !== 'number' ||
    !Number.isInteger(quantity) ||
    quantity < 1 ||
    quantity > MAX_QUANTITY
  ) {
    return `quantity must be an integer in [1, ${MAX_QUANTITY}], got ${JSON.stringify(quantity)}`;
  }
  return { productId, quantity };
}
