import { monotonicFactory } from 'ulidx';

const ulid = monotonicFactory();

/** Time-sortable ids with a type prefix, e.g. `sub_01J…`; sorting by id sorts by creation. */
export const newId = {
  subscription: () => `sub_${ulid()}`,
  event: () => `evt_${ulid()}`,
  delivery: () => `dlv_${ulid()}`,
  replay: () => `rpl_${ulid()}`,
  retry: () => `rty_${ulid()}`,
  tenantKey: () => `key_${ulid()}`,
};
