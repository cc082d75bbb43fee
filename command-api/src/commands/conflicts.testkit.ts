import { WrongExpectedVersionError, type EventStore } from '@primetrade/platform';

/** Counts the appends that lost a race, to prove a concurrency test really raced. */
export function countingConflicts(store: EventStore): EventStore & { conflicts: number } {
  const wrapper = Object.create(store) as EventStore & { conflicts: number };
  wrapper.conflicts = 0;
  wrapper.appendToStream = async (...args) => {
    try {
      return await store.appendToStream(...args);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) wrapper.conflicts++;
      throw error;
    }
  };
  return wrapper;
}
