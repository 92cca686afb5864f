// The one store: the page state (serialised to the URL hash) and the data fetched for it.

/**
 * createStore(state) -> {state, data, setState(next, info), setData(patch), subscribe(fn)}.
 * `state` is replaced (never mutated in place) so views can compare by reference;
 * subscribers get (store, info) where info.what is "state" or "data".
 */
export function createStore(initial) {
  const listeners = new Set();
  const store = {
    state: initial,
    data: {},
    setState(next, info = {}) {
      store.state = next;
      for (const fn of listeners) fn(store, { what: "state", ...info });
    },
    setData(patch, info = {}) {
      store.data = { ...store.data, ...patch };
      for (const fn of listeners) fn(store, { what: "data", keys: Object.keys(patch), ...info });
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  return store;
}
