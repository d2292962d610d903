// The shop's product data, shared by catalog (descriptions) and pricing (base prices in USD).
// Money as google.type.Money: whole units plus nanos (10^-9 units).

export interface Money {
  readonly units: number;
  readonly nanos: number;
  readonly currency: string;
}

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly picture: string;
}

interface ProductRecord extends Product {
  /** Base price in US cents. */
  readonly cents: number;
}

const RECORDS: readonly ProductRecord[] = Object.freeze(
  [
    {
      id: 'OLJCESPC7Z',
      name: 'Sunglasses',
      description: 'Add a modern touch to your outfits.',
      picture: '🕶️',
      cents: 1999,
    },
    {
      id: '66VCHSJNUP',
      name: 'Tank Top',
      description: 'Perfectly cropped cotton tank.',
      picture: '👕',
      cents: 1899,
    },
    {
      id: '1YMWWN1N4O',
      name: 'Watch',
      description: 'Gold-tone stainless steel.',
      picture: '⌚',
      cents: 10999,
    },
    {
      id: 'L9ECAV7KIM',
      name: 'Loafers',
      description: 'A neat addition to your summer wardrobe.',
      picture: '👞',
      cents: 8999,
    },
    {
      id: '2ZYFJ3GM2N',
      name: 'Hairdryer',
      description: 'Three heat settings, one cold shot.',
      picture: '💨',
      cents: 2499,
    },
    {
      id: '0PUK6V6EV0',
      name: 'Candle Holder',
      description: 'A small gold candle holder.',
      picture: '🕯️',
      cents: 1895,
    },
    {
      id: 'LS4PSXUNUM',
      name: 'Salt & Pepper Shakers',
      description: 'Add some flavour to your kitchen.',
      picture: '🧂',
      cents: 1849,
    },
    {
      id: '9SIQT8TOJO',
      name: 'Bamboo Glass Jar',
      description: 'Airtight, for coffee, tea or pasta.',
      picture: '🫙',
      cents: 549,
    },
    {
      id: '6E92ZMYYFZ',
      name: 'Mug',
      description: 'A simple mug with a mustard interior.',
      picture: '☕',
      cents: 899,
    },
    {
      id: 'HQTGWGPNH4',
      name: 'Typewriter',
      description: 'A vintage typewriter, still works.',
      picture: '⌨️',
      cents: 6799,
    },
  ].map((r) => Object.freeze(r)),
);

/** The catalog's products (no prices: those are pricing's business). */
export const PRODUCTS: readonly Product[] = Object.freeze(
  RECORDS.map(({ cents: _cents, ...p }) => Object.freeze(p)),
);

/** Base prices in US cents, by product id (the pricing service's table). */
export const BASE_PRICES_CENTS: ReadonlyMap<string, number> = new Map(RECORDS.map((r) => [r.id, r.cents]));

/** Fixed exchange rates from USD, in millionths (a demo: no live rates). */
export const RATES_PPM: ReadonlyMap<string, bigint> = new Map([
  ['USD', 1_000_000n],
  ['EUR', 920_000n],
  ['GBP', 790_000n],
]);

/** `cents` US cents converted to `currency` (known to RATES_PPM), rounded half up to whole nanos. */
export function convertCents(cents: number, currency: string): Money {
  const rate = RATES_PPM.get(currency);
  if (rate === undefined) throw new RangeError(`unknown currency ${currency}`);
  // cents → nanos is ×10^7; the rate is ×10^6, so divide by 10^6 with rounding, in BigInt (exact).
  const nanosTotal = (BigInt(cents) * 10_000_000n * rate + 500_000n) / 1_000_000n;
  return {
    units: Number(nanosTotal / 1_000_000_000n),
    nanos: Number(nanosTotal % 1_000_000_000n),
    currency,
  };
}

/** Sum of amounts in one currency, normalised (nanos in [0, 10^9)). */
export function sumMoney(amounts: readonly { money: Money; quantity: number }[], currency: string): Money {
  let total = 0n;
  for (const { money, quantity } of amounts) {
    total += (BigInt(money.units) * 1_000_000_000n + BigInt(money.nanos)) * BigInt(quantity);
  }
  return {
    units: Number(total / 1_000_000_000n),
    nanos: Number(total % 1_000_000_000n),
    currency,
  };
}
