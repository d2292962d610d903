// Run as a separate process by the tests: registers one instance with a lease, prints
// "registered <leaseId>", and stays alive keeping the lease until it is killed.
import { registerEtcdService } from '@breakwater/discovery';

const [endpoint, service, id, port, ttl] = process.argv.slice(2);
const registration = await registerEtcdService({
  hosts: endpoint!,
  service: service!,
  id: id!,
  host: '127.0.0.1',
  port: Number(port),
  ttlSeconds: Number(ttl),
});
process.stdout.write(`registered ${registration.leaseId}\n`);
// Keep the event loop alive regardless of etcd3's handles.
setInterval(() => {}, 60_000);
