// The network page's sidebar, built from the catalog's datasets, models, activations and the
// optimizers that fit networks, laid out like the classroom page's (label above its input).
// It is rebuilt only when its structure changes; otherwise values are synced, so an input being
// edited keeps its focus.

import { h, setChildren } from "../dom.js";
import { activations, datasetTask, modelLosses, networkOptimizers } from "./state.js";

/** A checkbox row for a boolean model parameter of the catalog (its description as the title). */
function flagRow(id, label, spec, checked, onChange) {
  const box = h("input", { id, type: "checkbox", title: spec.description || "", onchange: (ev) => onChange(ev.target.checked) });
  box.checked = checked;
  return { box, row: h("div", { class: "param param-bool" }, [box, h("label", { for: id, title: spec.description || "" }, label)]) };
}

// A CSV's text travels in the request body (JSON-escaped); the server refuses more.
const MAX_CSV_CHARS = 170_000;

function row(id, label, input) {
  return h("div", { class: "param param-select" }, [h("label", { for: id }, label), input]);
}

/** createNetControls(el, {catalog, getState, setState, upload}) -> {update(state)} */
export function createNetControls(el, { catalog, getState, setState, upload }) {
  const set = (k) => (v) => setState({ ...getState(), [k]: v });
  let syncers = [];

  function select(id, field, options, onChange = set(field)) {
    const sel = h("select", { id, onchange: (ev) => onChange(ev.target.value) },
      options.map(([v, text]) => h("option", { value: v }, text)));
    syncers.push((s) => { if (document.activeElement !== sel && sel.value !== String(s[field])) sel.value = String(s[field]); });
    return sel;
  }
  function number(id, field, attrs) {
    const input = h("input", { id, type: "number", class: "num", ...attrs,
      onchange: (ev) => { const x = Number(ev.target.value); if (Number.isFinite(x)) set(field)(x); } });
    syncers.push((s) => { if (document.activeElement !== input && input.value !== String(s[field])) input.value = String(s[field]); });
    return input;
  }

  /** A file input reading the user's own points (x1,x2,label rows) into `upload`. */
  function csvUpload() {
    const error = h("span", { class: "net-csv-error", id: "net-csv-error", role: "alert" }, upload.error || "");
    const input = h("input", { id: "net-csv", type: "file", accept: ".csv,text/csv,text/plain",
      onchange: async (ev) => {
        const file = ev.target.files && ev.target.files[0];
        if (!file) return;
        const text = await file.text();
        if (text.length > MAX_CSV_CHARS) {
          upload.error = `${file.name} is too large: ${text.length} characters, at most ${MAX_CSV_CHARS}`;
          error.textContent = upload.error;
          return;
        }
        Object.assign(upload, { text, name: file.name, error: "" });
        setState({ ...getState(), dataset: "csv", scene: "" });
      } });
    const note = upload.name ? ` (${upload.name})` : "";
    return h("div", { class: "param net-csv" }, [
      h("label", { for: "net-csv" }, `Your own points: CSV of x1,x2,label${note}`), input, error]);
  }

  function build(state) {
    syncers = [];
    const catalogued = (catalog.datasets || []).filter((d) => d.name !== "csv");
    // An uploaded CSV lives in memory only (too big for a link), so it is offered once loaded.
    const datasets = upload.text ? [...catalogued, { name: "csv", title: "uploaded CSV" }] : catalogued;
    const task = datasets.find((d) => d.name === state.dataset)?.task;
    const models = (catalog.models || []).filter((m) => !task || m.tasks.includes(task));
    const inits = catalog.models?.[0]?.inits || ["xavier"];
    const data = [
      row("net-dataset", "Data set", select("net-dataset", "dataset", datasets.map((d) => [d.name, d.title || d.name]), (v) => {
        const next = { ...getState(), dataset: v };
        const t = datasets.find((d) => d.name === v)?.task;
        const m = (catalog.models || []).find((x) => x.name === next.model);
        if (m && !m.tasks.includes(t)) next.model = "mlp";
        setState(next);
      })),
      csvUpload(),
      row("net-n", "Points (0 = default)", number("net-n", "n", { min: 0, step: 1 })),
    ];
    const model = [row("net-model", "Model", select("net-model", "model", models.map((m) => [m.name, m.title])))];
    if (state.model === "mlp") {
      const hidden = h("input", { id: "net-hidden", type: "text", class: "num", title: "one or two widths, e.g. 16 or 16,16",
        onchange: (ev) => set("hidden")(ev.target.value) });
      syncers.push((s) => { if (document.activeElement !== hidden && hidden.value !== s.hidden) hidden.value = s.hidden; });
      model.push(row("net-hidden", "Hidden widths", hidden),
        row("net-activation", "Activation", select("net-activation", "activation", activations(catalog).map((a) => [a, a]))));
      const bnSpec = (catalog.models || []).find((m) => m.name === "mlp")?.params?.find((p) => p.name === "batch_norm");
      if (bnSpec) {
        const bn = flagRow("net-batch-norm", "batch normalisation", bnSpec, state.batch_norm, set("batch_norm"));
        syncers.push((s) => { if (bn.box.checked !== s.batch_norm) bn.box.checked = s.batch_norm; });
        model.push(bn.row);
      }
    }
    // A loss choice only where the task has several (binary: cross-entropy or least squares).
    const losses = modelLosses(catalog, state.model, datasetTask(catalog, state.dataset));
    if (losses.length > 1) {
      model.push(row("net-loss", "Loss", select("net-loss", "loss",
        [["", "task default"], ...losses.map((l) => [l, l.replaceAll("_", " ")])])));
    }
    model.push(row("net-init", "Initialisation", select("net-init", "init", inits.map((i) => [i, i]))));
    const normalize = h("input", { id: "net-normalize", type: "checkbox", onchange: (ev) => set("normalize")(ev.target.checked) });
    syncers.push((s) => { if (normalize.checked !== s.normalize) normalize.checked = s.normalize; });
    const training = [
      row("net-optimizer", "Optimizer", select("net-optimizer", "optimizer",
        networkOptimizers(catalog).map((o) => [o.name, o.title || o.name]))),
      row("net-lr", "Learning rate α", number("net-lr", "lr", { min: 1e-10, step: "any" })),
      row("net-steps", "Steps", number("net-steps", "steps", { min: 1, max: catalog.limits?.max_train_steps ?? 20000, step: 1 })),
      row("net-batch", "Batch size (0 = full)", number("net-batch", "batch", { min: 0, step: 1 })),
      row("net-seed", "Seed", number("net-seed", "seed", { min: 0, step: 1 })),
      h("div", { class: "param param-bool" }, [normalize, h("label", { for: "net-normalize" }, "normalise inputs (x − μ) / σ")]),
    ];
    const section = (title, items) => h("details", { class: "section", open: true }, [h("summary", {}, title), ...items]);
    setChildren(el, [section("Data", data), section("Model", model), section("Training", training)]);
  }

  let key = "";
  return {
    update(state) {
      // Rebuilt only when the choices change (another data set's task, the model, an upload).
      const k = JSON.stringify([state.dataset, state.model, upload.name, upload.text.length]);
      if (k !== key) {
        key = k;
        build(state);
      }
      for (const s of syncers) s(state);
    },
  };
}
