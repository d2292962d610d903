import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConsulClient,
  ConsulRegistry,
  consulOptionsFromEnv,
  isInvalidConfigError,
  isRegistryUnavailableError,
} from '@breakwater/discovery';
import { describe, expect, it } from 'vitest';

describe('consulOptionsFromEnv', () => {
  it('reads address, token, TLS switch and files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-env-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'CA');
      writeFileSync(join(dir, 'token'), 'file-token\n');
      const o = consulOptionsFromEnv({
        CONSUL_HTTP_ADDR: 'consul.local:8501',
        CONSUL_HTTP_SSL: 'true',
        CONSUL_HTTP_TOKEN_FILE: join(dir, 'token'),
        CONSUL_CACERT: join(dir, 'ca.pem'),
        CONSUL_HTTP_SSL_VERIFY: 'false',
      });
      expect(o.address).toBe('https://consul.local:8501');
      expect(o.token).toBe('file-token');
      expect(o.tls?.ca?.toString()).toBe('CA');
      expect(o.tls?.rejectUnauthorized).toBe(false);
      expect(
        consulOptionsFromEnv({ CONSUL_HTTP_ADDR: 'http://10.0.0.1:8500', CONSUL_HTTP_TOKEN: 't' }),
      ).toEqual({
        address: 'http://10.0.0.1:8500',
        token: 't',
      });
      expect(consulOptionsFromEnv({})).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unreadable files and unsupported addresses with InvalidConfigError', () => {
    expect(() => consulOptionsFromEnv({ CONSUL_CACERT: '/nonexistent/ca.pem' })).toThrow(
      expect.toSatisfy(isInvalidConfigError),
    );
    expect(() => consulOptionsFromEnv({ CONSUL_HTTP_ADDR: 'unix:///tmp/consul.sock' })).toThrow(
      expect.toSatisfy(isInvalidConfigError),
    );
  });
});

describe('ConsulClient options', () => {
  it('validates at construction, naming the option', () => {
    expect(() => new ConsulClient({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => new ConsulClient({ token: 'a\nb' })).toThrow(/token/);
    expect(() => new ConsulClient({ address: 'http://user:pw@host:8500' })).toThrow(/credentials/);
    expect(() => new ConsulClient({ tls: { cert: 'x' } })).toThrow(/tls.cert/);
    expect(() => new ConsulRegistry({ waitMs: 700_000 })).toThrow(/waitMs/);
    expect(() => new ConsulRegistry({ backoff: { initialMs: -1 } })).toThrow(/backoff.initialMs/);
    expect(() => new ConsulRegistry({ minIntervalMs: Number.NaN })).toThrow(/minIntervalMs/);
  });
});

describe('ConsulClient over TLS', () => {
  // The certificate is made by the openssl CLI, which .ci/run installs.
  it('verifies the agent with the configured CA and presents a client certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'));
      const key = readFileSync(join(dir, 'key.pem'));
      // The server also demands a client certificate signed by the same (self-signed) CA: mutual TLS.
      const tlsServer = { cert, key, ca: cert, requestCert: true, rejectUnauthorized: true };
      const server = createServer(tlsServer, (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': '5' });
        res.end(
          JSON.stringify([
            { Node: { Node: 'n', Address: '10.0.0.1' }, Service: { ID: 'a', Port: 80 }, Checks: [] },
          ]),
        );
        void req;
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      const address = `https://127.0.0.1:${port}`;
      const trusted = new ConsulRegistry({ connection: { address, tls: { ca: cert, cert, key } } });
      const untrusted = new ConsulRegistry({ connection: { address, tls: { cert, key } } });
      const anonymous = new ConsulRegistry({ connection: { address, tls: { ca: cert } } });
      try {
        expect((await trusted.resolve('api'))[0]).toMatchObject({ id: 'a', host: '10.0.0.1', port: 80 });
        await expect(untrusted.resolve('api')).rejects.toSatisfy(isRegistryUnavailableError);
        await expect(anonymous.resolve('api')).rejects.toSatisfy(isRegistryUnavailableError);
      } finally {
        await trusted.close();
        await untrusted.close();
        await anonymous.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
