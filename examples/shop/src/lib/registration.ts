// Self-registration with Consul when CONSUL_HTTP_ADDR is set; with the static registry the launcher
// lists the instances and this does nothing.
import { type CheckDefinition, ConsulClient, registerService } from '@breakwater/discovery';
import type { Logger } from './logger.js';

export interface SelfRegistration {
  /** Deregisters (idempotent, never throws: a shutdown must go on). */
  close(): Promise<void>;
}

export interface SelfRegisterOptions {
  /** Consul agent address; undefined = static registry, nothing to do. */
  readonly consulAddress: string | undefined;
  readonly name: string;
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly check: CheckDefinition;
  readonly logger: Logger;
  readonly meta?: Readonly<Record<string, string>>;
}

const NOTHING: SelfRegistration = Object.freeze({ close: () => Promise.resolve() });

export async function selfRegister(o: SelfRegisterOptions): Promise<SelfRegistration> {
  if (o.consulAddress === undefined) return NOTHING;
  // Token and TLS settings come from the usual CONSUL_* variables; the address from the options.
  const client = ConsulClient.fromEnv({ address: o.consulAddress, requestTimeoutMs: 2_000 });
  let registration: Awaited<ReturnType<typeof registerService>>;
  try {
    registration = await registerService(client, {
      name: o.name,
      id: o.id,
      address: o.host,
      port: o.port,
      check: o.check,
      ...(o.meta === undefined ? {} : { meta: o.meta }),
    });
  } catch (error) {
    await client.close();
    throw error;
  }
  o.logger.info('registered with consul', { consul: o.consulAddress, id: o.id });
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        try {
          await registration.close();
          o.logger.info('deregistered from consul', { id: o.id });
        } catch (error) {
          o.logger.warn('consul deregistration failed', { error });
        } finally {
          await client.close();
        }
      })();
      return closing;
    },
  };
}
