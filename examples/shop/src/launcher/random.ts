// The load mix and the chaos targets replay from a seed: @breakwater/chaos's seeded PRNG.
export { type Random, seededRandom } from '@breakwater/chaos';
