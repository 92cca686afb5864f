// Export: a PNG of any view (Plotly's own exporter) and the runs as JSON or CSV.

import { h } from "./dom.js";

export function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** PNG of a view's figure; layered views are composed into one off-screen plot first. */
export async function exportPng(view, name) {
  const fig = view.figure?.();
  if (!fig || !fig.data) return;
  const div = h("div", { class: "offscreen" });
  document.body.append(div);
  try {
    const layout = { ...fig.layout, width: fig.width || 900, height: fig.height || 600,
      paper_bgcolor: "#ffffff" };
    await Plotly.newPlot(div, fig.data, layout, { staticPlot: true });
    await Plotly.downloadImage(div, { format: "png", filename: `losscape-${name}`, scale: 2,
      width: layout.width, height: layout.height });
  } finally {
    Plotly.purge(div);
    div.remove();
  }
}

/** The runs as plain records: settings, status and the full path. */
export function runsRecords(state, runs) {
  return state.runs.map((run, i) => {
    const res = runs[i] || {};
    return {
      run: i + 1,
      optimizer: run.optimizer,
      lr: run.lr,
      hyperparams: run.hyperparams,
      start: run.start,
      schedule: run.schedule || state.schedule,
      batch_size: run.batch_size !== undefined ? run.batch_size : state.batch_size,
      status: res.status ?? null,
      stopped_at: res.stopped_at ?? null,
      x: res.x || [],
      y: res.y || [],
      loss: res.loss || [],
      lrs: res.lrs || [],
    };
  });
}

export function exportJson(state, runs) {
  const payload = {
    surface: { name: state.surface, params: state.params },
    steps: state.steps, noise: state.noise, seed: state.seed,
    runs: runsRecords(state, runs),
    link: location.href,
  };
  save(new Blob([JSON.stringify(payload, null, 1)], { type: "application/json" }), "losscape-runs.json");
}

/** One row per (run, step): run, optimizer, lr, step, x, y, loss, lr_t, status. */
export function runsCsv(state, runs) {
  const lines = ["run,optimizer,lr,step,x,y,loss,lr_t,status"];
  for (const r of runsRecords(state, runs)) {
    for (let k = 0; k < r.x.length; k++) {
      const lrT = k < r.lrs.length ? r.lrs[k] : "";
      lines.push([r.run, r.optimizer, r.lr, k, r.x[k], r.y[k], r.loss[k] ?? "", lrT,
        k === r.x.length - 1 ? r.status : ""].join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

export function exportCsv(state, runs) {
  save(new Blob([runsCsv(state, runs)], { type: "text/csv" }), "losscape-runs.csv");
}
