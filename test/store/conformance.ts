// The store conformance suite: every Store implementation must pass all of it. Each test gets a
// fresh, empty, migrated store from the factory and its cleanup runs afterwards.
import { afterEach, beforeEach, describe } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { claimTests } from './conformance/claims.ts';
import { controlTests } from './conformance/controls.ts';
import { deliveryTests } from './conformance/deliveries.ts';
import { eventSummaryTests } from './conformance/event-summary.ts';
import { eventTests } from './conformance/events.ts';
import { finishTests } from './conformance/finish.ts';
import type { StoreFactory, StoreUnderTest, Suite } from './conformance/fixtures.ts';
import { jobTests } from './conformance/jobs.ts';

export type { StoreFactory, StoreUnderTest } from './conformance/fixtures.ts';

export function runStoreConformance(name: string, factory: StoreFactory): void {
  describe(`${name} store conformance`, () => {
    let current: StoreUnderTest | undefined;
    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    const underTest = (): StoreUnderTest => {
      if (!current) throw new Error('no store: used outside a test');
      return current;
    };
    const suite: Suite = {
      store: (): Store => underTest().store,
      another: async () => {
        const { store, openAnother } = underTest();
        return openAnother ? openAnother() : store;
      },
    };

    jobTests(suite);
    claimTests(suite);
    finishTests(suite);
    eventSummaryTests(suite);
    controlTests(suite);
    eventTests(suite);
    deliveryTests(suite);
  });
}
