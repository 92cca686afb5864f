// Timeline: play, pause, step, speed and a scrubber that moves every view to iteration t.
// t = null means "the whole run" (the end); playing advances t at `speed` steps per second.

import { h } from "./dom.js";
import { SPEEDS } from "./state.js";

export function createTimeline(el, { getState, setState }) {
  const anim = { playing: false, raf: 0, last: 0, carry: 0 };
  const label = h("span", { class: "t-label", "aria-live": "off" });
  const scrub = h("input", { type: "range", id: "timeline", min: 0, max: 1, step: 1,
    "aria-label": "iteration shown (timeline)",
    oninput: (ev) => {
      stop();
      const s = getState();
      const t = Number(ev.target.value);
      setState({ ...s, t: t >= s.steps ? null : t }, { source: "timeline" });
    } });
  const setT = (fn) => {
    const s = getState();
    const cur = s.t === null ? s.steps : s.t;
    const t = Math.max(0, Math.min(s.steps, fn(cur, s)));
    setState({ ...s, t: t >= s.steps ? null : t }, { source: "timeline" });
  };
  const play = h("button", { type: "button", class: "play", "aria-label": "play",
    onclick: () => (anim.playing ? stop() : start()) }, "▶");
  const speed = h("select", { id: "speed", "aria-label": "playback speed (steps per second)",
    onchange: (ev) => setState({ ...getState(), speed: Number(ev.target.value) }) },
  SPEEDS.map((v) => h("option", { value: v }, `${v} steps/s`)));

  function frame(now) {
    if (!anim.playing) return;
    const s = getState();
    const dt = Math.min(0.25, (now - anim.last) / 1000);
    anim.last = now;
    anim.carry += dt * s.speed;
    const adv = Math.floor(anim.carry);
    if (adv > 0) {
      anim.carry -= adv;
      const cur = s.t === null ? 0 : s.t;
      const t = cur + adv;
      if (t >= s.steps) {
        setState({ ...s, t: null }, { source: "timeline" });
        stop();
        return;
      }
      setState({ ...s, t }, { source: "timeline" });
    }
    anim.raf = requestAnimationFrame(frame);
  }
  function start() {
    const s = getState();
    if (s.t === null) setState({ ...s, t: 0 }, { source: "timeline" });
    anim.playing = true;
    anim.last = performance.now();
    anim.carry = 0;
    play.textContent = "❚❚";
    play.setAttribute("aria-label", "pause");
    anim.raf = requestAnimationFrame(frame);
  }
  function stop() {
    anim.playing = false;
    cancelAnimationFrame(anim.raf);
    play.textContent = "▶";
    play.setAttribute("aria-label", "play");
  }

  el.append(
    h("button", { type: "button", "aria-label": "go to the first iteration", onclick: () => { stop(); setT(() => 0); } }, "|◀"),
    h("button", { type: "button", "aria-label": "−1: step back", onclick: () => { stop(); setT((t) => t - 1); } }, "−1"),
    play,
    h("button", { type: "button", "aria-label": "+1: step forward", onclick: () => { stop(); setT((t) => t + 1); } }, "+1"),
    h("button", { type: "button", "aria-label": "show the whole run", onclick: () => { stop(); setT((_, s) => s.steps); } }, "▶|"),
    scrub, label, speed,
  );

  return {
    update(state) {
      const set = (el, k, v) => { if (el[k] !== v) el[k] = v; };
      set(scrub, "max", String(state.steps));
      if (document.activeElement !== scrub) set(scrub, "value", String(state.t === null ? state.steps : state.t));
      set(label, "textContent", `t = ${state.t === null ? state.steps : state.t} / ${state.steps}`);
      set(speed, "value", String(state.speed));
    },
    toggle: () => (anim.playing ? stop() : start()),
    stop,
  };
}
