import type { Settings } from '../config.js';
import { DEMO_SIZE, demoSizeOf, type DemoSize } from '../reference/core/index.js';
import { startCrmoffice } from '../reference/crmoffice/index.js';
import { startCustomerp } from '../reference/customerp/index.js';
import type { Supervisor } from './supervisor.js';

export interface SystemEndpoints {
  customerpUrl: string;
  crmofficeUrl: string;
  /** Whether this process started the reference systems (no URLs configured). */
  startedReference: boolean;
}

/** The seed a REFERENCE_SEED setting asks for. */
export function seedOf(setting: string): 'empty' | DemoSize {
  if (setting === 'empty') return 'empty';
  if (setting === 'demo') return DEMO_SIZE;
  return demoSizeOf(Number(setting));
}

/**
 * Uses CUSTOMERP_URL / CRMOFFICE_URL when set; otherwise starts the reference system with demo data
 * on its port. Each system is decided on its own, so one real and one reference system also works.
 */
export async function startReferenceSystems(settings: Settings, supervisor: Supervisor): Promise<SystemEndpoints> {
  const seed = seedOf(settings.REFERENCE_SEED);
  let startedReference = false;
  let customerpUrl = settings.CUSTOMERP_URL;
  if (!customerpUrl) {
    const server = await supervisor.start('customerp', async () => {
      const running = await startCustomerp({ port: settings.CUSTOMERP_PORT, host: settings.HOST, seed });
      return { name: 'customerp', stop: running.close, url: running.url };
    });
    customerpUrl = server.url;
    startedReference = true;
  }
  let crmofficeUrl = settings.CRMOFFICE_URL;
  if (!crmofficeUrl) {
    const server = await supervisor.start('crmoffice', async () => {
      const running = await startCrmoffice({ port: settings.CRMOFFICE_PORT, host: settings.HOST, seed });
      return { name: 'crmoffice', stop: running.close, url: running.url };
    });
    crmofficeUrl = server.url;
    startedReference = true;
  }
  return { customerpUrl, crmofficeUrl, startedReference };
}
