// losscape notebook widget (anywidget): the scene's contour and loss curves with sliders.
// State lives in Python (model "state"); a slider sets it and Python answers with "figures".
// Plotly is the global set by plotly.js, bundled ahead of this code from the plotly package.

const CSS = `
.losscape-widget { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; }
.losscape-widget .lw-head { margin: 0 0 6px; }
.losscape-widget .lw-title { font-weight: 600; font-size: 15px; }
.losscape-widget .lw-caption { color: #444; white-space: pre-line; }
.losscape-widget .lw-controls { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; margin: 6px 0; }
.losscape-widget label { display: inline-flex; gap: 6px; align-items: center; }
.losscape-widget output { font-variant-numeric: tabular-nums; min-width: 5.5em; display: inline-block; }
.losscape-widget .lw-plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 8px; }
.losscape-widget .lw-error { color: #a40000; }
.losscape-widget .lw-swatch { width: 12px; height: 12px; border-radius: 2px; display: inline-block; }
`;
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of [].concat(children)) node.append(c);
  return node;
}

function fmt(v) {
  return Number(v).toPrecision(3).replace(/\.?0+(e|$)/, "$1");
}

function render({ model, el: root }) {
  root.classList.add("losscape-widget");
  root.append(el("style", { text: CSS }));
  const head = el("div", { class: "lw-head" }, [
    el("div", { class: "lw-title", text: model.get("title") || "losscape" }),
    el("div", { class: "lw-caption", text: model.get("caption") || "" }),
  ]);
  const controls = el("div", { class: "lw-controls", role: "group", "aria-label": "settings" });
  const error = el("div", { class: "lw-error", role: "alert" });
  const contour = el("div", { class: "lw-plot", "data-view": "contour", role: "img", "aria-label": "contour and paths" });
  const curves = el("div", { class: "lw-plot", "data-view": "curves", role: "img", "aria-label": "loss curves" });
  root.append(head, controls, error, el("div", { class: "lw-plots" }, [contour, curves]));

  let timer = null;
  let lastSent = null;
  function commit(mutate) {
    const state = JSON.parse(JSON.stringify(model.get("state")));
    mutate(state);
    clearTimeout(timer);
    // Sliders fire on every pixel: send the last value after a short pause.
    timer = setTimeout(() => {
      lastSent = JSON.stringify(state);
      model.set("state", state);
      model.save_changes();
    }, 120);
  }

  function buildControls() {
    const state = model.get("state");
    const cat = model.get("catalog");
    controls.replaceChildren();
    const surf = el("select", { "aria-label": "surface", "data-control": "surface" });
    for (const s of cat.surfaces || []) {
      const o = el("option", { value: s.name, text: s.title });
      if (s.name === state.surface) o.selected = true;
      surf.append(o);
    }
    surf.addEventListener("change", () => commit((st) => {
      st.surface = surf.value;
      st.params = {};
      for (const r of st.runs) r.start = null; // the new surface's default start
    }));
    controls.append(el("label", {}, ["surface", surf]));
    const steps = el("input", { type: "range", min: "10", max: "2000", step: "10", value: String(state.steps),
      "aria-label": "steps", "data-control": "steps" });
    const stepsOut = el("output", { text: String(state.steps) });
    steps.addEventListener("input", () => {
      stepsOut.textContent = steps.value;
      commit((st) => { st.steps = Number(steps.value); });
    });
    controls.append(el("label", {}, ["steps", steps, stepsOut]));
    state.runs.forEach((run, i) => {
      const spec = (cat.optimizers || []).find((o) => o.name === run.optimizer) || { lr_min: 1e-6, lr_max: 10 };
      const lo = Math.log10(spec.lr_min);
      const hi = Math.log10(spec.lr_max);
      const lr = el("input", { type: "range", min: String(lo), max: String(hi), step: "0.01",
        value: String(Math.log10(run.lr)), "aria-label": `run ${i + 1} learning rate`, "data-control": `lr-${i}` });
      const out = el("output", { text: fmt(run.lr) });
      lr.addEventListener("input", () => {
        const v = 10 ** Number(lr.value);
        out.textContent = fmt(v);
        commit((st) => { st.runs[i].lr = Number(v.toPrecision(4)); });
      });
      const sw = el("span", { class: "lw-swatch" });
      sw.style.background = COLORS[i % COLORS.length];
      controls.append(el("label", {}, [sw, `run ${i + 1}: ${run.optimizer}, lr`, lr, out]));
    });
  }

  function draw() {
    const figs = model.get("figures") || {};
    const config = { displaylogo: false, responsive: true };
    const done = [];
    for (const [div, name] of [[contour, "contour"], [curves, "curves"]]) {
      const f = figs[name];
      if (f) done.push(Plotly.react(div, f.data, f.layout, config));
    }
    Promise.all(done).then(() => {
      root.dataset.revision = String(model.get("revision"));
      root.dispatchEvent(new CustomEvent("losscape:drawn", { bubbles: true }));
    });
  }

  // Rebuild the controls when Python changed the state, not when a slider here did
  // (rebuilding would drop the slider from under the pointer).
  const onState = () => {
    if (JSON.stringify(model.get("state")) !== lastSent) buildControls();
  };
  const onError = () => { error.textContent = model.get("error") || ""; };
  model.on("change:figures", draw);
  model.on("change:error", onError);
  model.on("change:state", onState);
  buildControls();
  onError();
  draw();
  return () => {
    model.off("change:figures", draw);
    model.off("change:error", onError);
    model.off("change:state", onState);
    Plotly.purge(contour);
    Plotly.purge(curves);
  };
}

export default { render };
