// Plotly.react one figure at a time: training streams a frame every few ms, and a react
// started while the previous one is still drawing can leave stale axes. The newest figure
// waits for the draw in flight; figures in between are skipped.

import { CONFIG } from "../plot.js";

const busy = new WeakMap();

/** Draw (traces, layout) on gd; resolves once this figure or a newer one has been drawn. */
export function drawLatest(gd, traces, layout) {
  let slot = busy.get(gd);
  if (!slot) {
    slot = { running: null, next: null };
    busy.set(gd, slot);
  }
  slot.next = [traces, layout];
  if (!slot.running) {
    slot.running = (async () => {
      while (slot.next) {
        const [t, l] = slot.next;
        slot.next = null;
        await Plotly.react(gd, t, l, CONFIG);
      }
      slot.running = null;
    })();
  }
  return slot.running;
}
