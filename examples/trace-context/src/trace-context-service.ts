// CLI: npm run trace-context-service -w examples/trace-context -- --port 5055 [--host 127.0.0.1]
import { parseArgs } from 'node:util';
import { startTraceContextService } from './service.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '5055' }, host: { type: 'string', default: '127.0.0.1' } },
});
const service = await startTraceContextService({ port: Number(values.port), host: values.host });
console.log(`trace-context service listening on http://${values.host}:${service.port}/`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void service.close().then(() => process.exit(0));
  });
}
