import type { Client } from '@temporalio/client';
import type { Ledger } from '../store/ledger';

/** What the gateway's operations (publish, cancel, retry, replay) work with. */
export interface ServiceDeps {
  ledger: Ledger;
  client: Client;
  taskQueue: string;
}
