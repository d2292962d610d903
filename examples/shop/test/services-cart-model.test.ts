// Model-based test of the cart's state (CartStore) and properties of the money arithmetic and the
// cart body validation, with fast-check (seeded, reproducible).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertCents, type Money, RATES_PPM, sumMoney } from '../src/lib/products.js';
import { CartStore, MAX_QUANTITY, parseCartItem } from '../src/services/cart-store.js';

type Model = Map<string, Map<string, number>>;
interface Real {
  store: CartStore;
}

const users = fc.constantFrom('ann', 'bob', 'cy');
// Fewer lines allowed than products exist, so the full-cart refusal is exercised too.
const MAX_LINES = 3;
const productIds = fc.constantFrom('A', 'B', 'C', 'D');

class AddCommand implements fc.Command<Model, Real> {
  constructor(
    readonly user: string,
    readonly productId: string,
    readonly quantity: number,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const lines = model.get(this.user) ?? new Map<string, number>();
    const current = lines.get(this.productId);
    if (current === undefined && lines.size >= MAX_LINES) {
      expect(() => real.store.add(this.user, this)).toThrow(RangeError);
      return;
    }
    lines.set(this.productId, Math.min(MAX_QUANTITY, (current ?? 0) + this.quantity));
    model.set(this.user, lines);
    const cart = real.store.add(this.user, { productId: this.productId, quantity: this.quantity });
    expect(cart).toEqual(view(model, this.user));
  }
  toString = () => `add(${this.user}, ${this.productId}, ${this.quantity})`;
}

class ClearCommand implements fc.Command<Model, Real> {
  constructor(readonly user: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    model.delete(this.user);
    real.store.clear(this.user);
    expect(real.store.get(this.user)).toEqual({ user: this.user, items: [] });
  }
  toString = () => `clear(${this.user})`;
}

class GetCommand implements fc.Command<Model, Real> {
  constructor(readonly user: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.store.get(this.user)).toEqual(view(model, this.user));
  }
  toString = () => `get(${this.user})`;
}

function view(model: Model, user: string) {
  const lines = model.get(user);
  return {
    user,
    items: lines === undefined ? [] : [...lines].map(([productId, quantity]) => ({ productId, quantity })),
  };
}

describe('CartStore against a reference model', () => {
  it('add / clear / get agree with a map of maps (quantities capped at 99, full carts refuse, users independent)', () => {
    const commands = fc.commands(
      [
        fc
          .tuple(users, productIds, fc.integer({ min: 1, max: MAX_QUANTITY }))
          .map(([u, p, q]) => new AddCommand(u, p, q)),
        users.map((u) => new ClearCommand(u)),
        users.map((u) => new GetCommand(u)),
      ],
      { maxCommands: 40 },
    );
    fc.assert(
      fc.property(commands, (cmds) => {
        fc.modelRun(() => ({ model: new Map() as Model, real: { store: new CartStore(MAX_LINES) } }), cmds);
      }),
      { seed: 20261126, numRuns: 1_000 },
    );
  });
});

describe('money', () => {
  const toNanos = (m: Money) => BigInt(m.units) * 1_000_000_000n + BigInt(m.nanos);

  it('converts cents exactly: USD is the identity, nanos stay in [0, 1e9), rounding is within half a nano', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom(...RATES_PPM.keys()),
        (cents, cur) => {
          const m = convertCents(cents, cur);
          expect(m.currency).toBe(cur);
          expect(m.nanos).toBeGreaterThanOrEqual(0);
          expect(m.nanos).toBeLessThan(1_000_000_000);
          const exact = BigInt(cents) * 10_000_000n * RATES_PPM.get(cur)!; // nanos × 1e6
          const diff = toNanos(m) * 1_000_000n - exact;
          expect(diff >= -500_000n && diff < 500_000n).toBe(true);
          if (cur === 'USD') expect(toNanos(m)).toBe(BigInt(cents) * 10_000_000n);
        },
      ),
      { seed: 7, numRuns: 1_000 },
    );
  });

  it('sums line totals without losing a nano', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 99 })), {
          maxLength: 20,
        }),
        (lines) => {
          const amounts = lines.map(([cents, quantity]) => ({ money: convertCents(cents, 'USD'), quantity }));
          const total = sumMoney(amounts, 'USD');
          const expected = lines.reduce((s, [c, q]) => s + BigInt(c) * BigInt(q) * 10_000_000n, 0n);
          expect(toNanos(total)).toBe(expected);
          expect(total.nanos).toBeLessThan(1_000_000_000);
        },
      ),
      { seed: 11, numRuns: 1_000 },
    );
  });
});

describe('parseCartItem', () => {
  it('accepts exactly the valid items and explains every rejection', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const r = parseCartItem(body);
        if (typeof r === 'string') expect(r.length).toBeGreaterThan(0);
        else {
          expect(r.productId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
          expect(Number.isInteger(r.quantity) && r.quantity >= 1 && r.quantity <= MAX_QUANTITY).toBe(true);
        }
      }),
      { seed: 3, numRuns: 1_000 },
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.integer({ min: 1, max: MAX_QUANTITY }),
        (productId, quantity) => {
          expect(parseCartItem({ productId, quantity })).toEqual({ productId, quantity });
        },
      ),
      { seed: 5, numRuns: 1_000 },
    );
  });
});
