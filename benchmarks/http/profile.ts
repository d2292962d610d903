// Profiles one contender under load, for the profile-guided pass on the HTTP hot path:
//   node --cpu-prof --cpu-prof-dir=build/prof --import tsx benchmarks/http/profile.ts [breakwater|raw] [seconds]
// then `node scripts/summarize-cpuprofile.mjs build/prof/<file>.cpuprofile`.
import { breakwaterUndici } from './breakwater.js';
import { rawUndici } from './contenders.js';
import { runLoad } from './load.js';
import { startUpstream } from './upstream.js';

const which = process.argv[2] ?? 'breakwater';
const seconds = Number(process.argv[3] ?? 5);
const upstream = await startUpstream();
const contender =
  which === 'raw' ? rawUndici(`http://127.0.0.1:${upstream.port}`) : await breakwaterUndici(upstream.port);
const conc = Number(process.argv[4] ?? 16);
await runLoad(contender.fn, conc, 500);
const r = await runLoad(contender.fn, conc, seconds * 1000);
console.log(
  `${contender.name}: ${r.rps.toFixed(0)} req/s, ${r.cpuUsPerRequest.toFixed(1)} µs CPU/req, errors ${r.errors}`,
);
await contender.close();
await upstream.close();
