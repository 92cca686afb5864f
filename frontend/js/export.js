// Exports a teacher pastes into slides: PNG and SVG of any view with a title and a legend, the
// data of every view (runs, sweeps, basin maps, network histories) as CSV and JSON, and a WebM
// of the timeline (MediaRecorder on a canvas). Plain functions; the shell wires its menu to them.

import { h } from "./dom.js";

export function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The {data, layout} of a Plotly div, or of a view object with figure() (layered views). */
function figureOf(src) {
  if (src && typeof src.figure === "function") return src.figure();
  if (src && src.figure && src.figure.data) return { data: src.figure.data, layout: src.figure.layout };
  if (src && src.data) return { data: src.data, layout: src.layout || {} };
  return null;
}

/**
 * A slide-ready layout: white paper, the title on top, a horizontal legend under the plot
 * naming every run (traces without a name, or marked showlegend: false, stay out of it).
 */
export function slideLayout(layout, { title = "", width = 960, height = 640 } = {}) {
  const margin = { ...(layout.margin || {}), t: title ? 64 : 24, b: 110, autoexpand: true };
  return {
    ...layout,
    width,
    height,
    margin,
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    title: title ? { text: title, x: 0.01, xanchor: "left", font: { size: 20 } } : undefined,
    showlegend: true,
    legend: { orientation: "h", x: 0, y: -0.12, yanchor: "top", bgcolor: "rgba(255,255,255,0.9)" },
  };
}

/** Traces for the legend: only named ones, the rest kept but hidden from it. */
export function legendTraces(data) {
  return data.map((t) => {
    const named = typeof t.name === "string" && t.name !== "" && !/^trace \d+$/.test(t.name);
    return { ...t, showlegend: named && t.showlegend !== false && t.hoverinfo !== "skip" ? true : false };
  });
}

async function offscreen(fig, opts, fn) {
  const div = h("div", { class: "offscreen" });
  document.body.append(div);
  try {
    const layout = slideLayout(fig.layout || {}, opts);
    await Plotly.newPlot(div, legendTraces(fig.data), layout, { staticPlot: true });
    return await fn(div, layout);
  } finally {
    Plotly.purge(div);
    div.remove();
  }
}

/**
 * The image of a view as a data URL (PNG) or SVG text; `src` is a Plotly div or a view with
 * figure(). Options: format "png" | "svg", title, width, height, scale (PNG).
 */
export async function figureImage(src, { format = "png", title = "", width = 960, height = 640, scale = 2 } = {}) {
  if (format !== "png" && format !== "svg") throw new Error(`format must be png or svg, not ${format}`);
  const fig = figureOf(src);
  if (!fig || !fig.data) throw new Error("nothing drawn to export");
  return offscreen(fig, { title, width, height }, (div) =>
    Plotly.toImage(div, { format, width, height, scale: format === "png" ? scale : 1 }));
}

/**
 * A data: URL as a Blob, decoded here: fetch() of a data URL is a connection, which the
 * page's CSP (connect-src 'self') refuses.
 */
export function dataUrlToBlob(url) {
  const comma = url.indexOf(",");
  const head = url.slice(5, comma);
  const body = url.slice(comma + 1);
  const type = head.split(";")[0] || "application/octet-stream";
  if (head.endsWith(";base64")) {
    const bin = atob(body);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type });
  }
  return new Blob([decodeURIComponent(body)], { type });
}

/** Download a view as PNG or SVG with its title and legend. */
export async function exportImage(src, { format = "png", title = "", filename = "losscape", width, height } = {}) {
  const url = await figureImage(src, { format, title, width, height });
  save(dataUrlToBlob(url), `${filename}.${format}`);
}

/** Old entry point: a PNG of a view named `name` (title = the name). */
export function exportPng(view, name, title = "") {
  return exportImage(view, { format: "png", title: title || `losscape: ${name}`, filename: `losscape-${name}` });
}

// ------------------------------------------------------------------ data

/** One CSV field: quoted when it holds a comma, quote or line break; null/undefined empty. */
export function csvField(v) {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows (objects) to CSV text; the header is the union of the keys in first-seen order. */
export function toCsv(rows) {
  const cols = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  const lines = [cols.map(csvField).join(",")];
  for (const r of rows) lines.push(cols.map((c) => csvField(r[c])).join(","));
  return `${lines.join("\n")}\n`;
}

/**
 * Long-format rows of a view's data, by its shape: an lr sweep {lrs, final_loss, ...}, a basin
 * map {x, y, label, ...}, an lr x momentum map {lrs, momenta, final_loss}, a network history
 * {record_steps, train_loss, ...}; an array is taken as rows already.
 */
export function rowsOf(data) {
  if (Array.isArray(data)) return data;
  if (!data || typeof data !== "object") return [];
  if (data.momenta && data.lrs) {
    const rows = [];
    data.momenta.forEach((m, j) => data.lrs.forEach((lr, i) => rows.push({
      lr, [data.hyperparam || "momentum"]: m, final_loss: data.final_loss?.[j]?.[i] ?? null,
      status: data.status?.[j]?.[i] ?? null,
    })));
    return rows;
  }
  if (data.lrs && data.final_loss) {
    return data.lrs.map((lr, i) => ({
      lr, final_loss: data.final_loss[i] ?? null, best_loss: data.best_loss?.[i] ?? null,
      status: data.status?.[i] ?? null, stopped_at: data.stopped_at?.[i] ?? null,
    }));
  }
  if (data.label && data.x && data.y) {
    const rows = [];
    data.y.forEach((y, j) => data.x.forEach((x, i) => {
      const label = data.label[j]?.[i];
      if (label === undefined || label === null) return; // rows still computing
      rows.push({ x, y, label, final_loss: data.final_loss?.[j]?.[i] ?? null,
        steps: data.steps?.[j]?.[i] ?? null });
    }));
    return rows;
  }
  if (data.record_steps && data.train_loss) {
    return data.record_steps.map((step, r) => ({
      step, train_loss: data.train_loss[r] ?? null,
      validation_loss: data.validation_loss?.[r] ?? null,
      train_accuracy: data.train_accuracy?.[r] ?? null,
      validation_accuracy: data.validation_accuracy?.[r] ?? null,
      lr: data.lrs?.[Math.min(step, (data.lrs?.length || 1) - 1)] ?? null,
    }));
  }
  return [data];
}

/** Download a view's data: `format` "csv" (long rows) or "json" (as given). */
export function exportData(name, data, format = "csv") {
  if (format === "json") {
    const text = JSON.stringify(data, (k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1);
    save(new Blob([text], { type: "application/json" }), `losscape-${name}.json`);
  } else if (format === "csv") {
    save(new Blob([toCsv(rowsOf(data))], { type: "text/csv" }), `losscape-${name}.csv`);
  } else {
    throw new Error(`format must be csv or json, not ${format}`);
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
  const rows = [];
  for (const r of runsRecords(state, runs)) {
    for (let k = 0; k < r.x.length; k++) {
      rows.push({ run: r.run, optimizer: r.optimizer, lr: r.lr, step: k, x: r.x[k], y: r.y[k],
        loss: r.loss[k] ?? null, lr_t: k < r.lrs.length ? r.lrs[k] : null,
        status: k === r.x.length - 1 ? r.status : null });
    }
  }
  if (!rows.length) return "run,optimizer,lr,step,x,y,loss,lr_t,status\n";
  return toCsv(rows);
}

export function exportCsv(state, runs) {
  save(new Blob([runsCsv(state, runs)], { type: "text/csv" }), "losscape-runs.csv");
}

// ------------------------------------------------------------------ timeline video

/**
 * Record the timeline as WebM: `drawStep(t)` redraws the view at step t (returns a promise),
 * each frame is rendered to PNG and painted on a canvas whose stream MediaRecorder encodes.
 * Resolves with the Blob; `exportTimeline` downloads it.
 */
export async function recordTimeline(src, { steps, drawStep, frames = 60, fps = 12, title = "",
  width = 960, height = 640 } = {}) {
  if (typeof MediaRecorder === "undefined") throw new Error("this browser cannot record video");
  const canvas = h("canvas", { width, height, class: "offscreen" });
  document.body.append(canvas);
  const ctx = canvas.getContext("2d");
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0];
  const type = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"]
    .find((t) => MediaRecorder.isTypeSupported(t));
  const rec = new MediaRecorder(stream, type ? { mimeType: type } : {});
  const chunks = [];
  rec.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  const done = new Promise((resolve) => { rec.onstop = resolve; });
  rec.start();
  try {
    const n = Math.max(2, frames);
    for (let k = 0; k < n; k++) {
      const t = Math.round((k * steps) / (n - 1));
      await drawStep(t);
      const url = await figureImage(src, { format: "png", title: title ? `${title} · step ${t}` : `step ${t}`,
        width, height, scale: 1 });
      const img = new Image();
      img.src = url;
      await img.decode();
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      ctx.drawImage(img, 0, 0, width, height);
      track.requestFrame?.();
      await new Promise((r) => setTimeout(r, 1000 / fps));
    }
  } finally {
    rec.stop();
    await done;
    canvas.remove();
  }
  return new Blob(chunks, { type: "video/webm" });
}

export async function exportTimeline(src, opts = {}) {
  const blob = await recordTimeline(src, opts);
  save(blob, `${opts.filename || "losscape-timeline"}.webm`);
}
