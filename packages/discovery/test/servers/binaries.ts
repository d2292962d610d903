import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finds a server binary, or throws telling what to install. A missing binary FAILS the test on
 * purpose: CI installs these packages (.ci/run), and a silently skipped test would hide that.
 */
export function findBinary(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  throw new Error(
    `${name} is not installed: these tests run a real ${name}. Install it with ` +
      `\`apt-get install dnsmasq-base etcd-server\` (Debian package ${debianPackage}).`,
  );
}
