// The network mode's controls, built from the catalog's datasets, models and optimizers.

import { h, setChildren, uid } from "../dom.js";

function field(label, input) {
  return h("label", { class: "net-field", for: input.id }, [h("span", {}, label), input]);
}

function select(id, options, value, onChange) {
  return h("select", { id, onchange: (ev) => onChange(ev.target.value) },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

function number(id, value, attrs, onChange) {
  return h("input", { id, type: "number", value: String(value), ...attrs,
    onchange: (ev) => { const x = Number(ev.target.value); if (Number.isFinite(x)) onChange(x); } });
}

// A CSV's text travels in the request body (JSON-escaped); the server refuses more.
const MAX_CSV_CHARS = 170_000;

/** A file input reading the user's own points (x1,x2,label rows) into `upload`. */
function csvUpload(upload, onLoaded) {
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
      onLoaded();
    } });
  const note = upload.name ? ` (${upload.name})` : "";
  return h("div", { class: "net-field net-csv" }, [
    h("label", { for: "net-csv" }, `Your own points: CSV of x1,x2,label${note}`), input, error]);
}

/** createNetControls(el, {catalog, getState, setState, upload}) -> {update(state)} */
export function createNetControls(el, { catalog, getState, setState, upload }) {
  const set = (k) => (v) => setState({ ...getState(), [k]: v });

  function build(state) {
    const catalogued = (catalog.datasets || []).filter((d) => d.name !== "csv");
    // An uploaded CSV lives in memory only (too big for a link), so it is offered once loaded.
    const datasets = upload.text ? [...catalogued, { name: "csv", title: `uploaded CSV` }] : catalogued;
    const task = datasets.find((d) => d.name === state.dataset)?.task;
    const models = (catalog.models || []).filter((m) => !task || m.tasks.includes(task));
    const optimizers = (catalog.optimizers || []).filter((o) => o.name !== "newton");
    const inits = catalog.models?.[0]?.inits || ["xavier"];
    const items = [
      field("Data set", select(uid("net", "dataset"), datasets.map((d) => [d.name, d.title || d.name]), state.dataset,
        (v) => {
          const next = { ...getState(), dataset: v };
          const t = datasets.find((d) => d.name === v)?.task;
          const m = (catalog.models || []).find((x) => x.name === next.model);
          if (m && !m.tasks.includes(t)) next.model = "mlp";
          setState(next);
        })),
      csvUpload(upload, () => setState({ ...getState(), dataset: "csv", scene: "" })),
      field("Model", select(uid("net", "model"), models.map((m) => [m.name, m.title]), state.model, set("model"))),
    ];
    if (state.model === "mlp") {
      items.push(field("Hidden widths", h("input", { id: uid("net", "hidden"), type: "text", value: state.hidden,
        title: "one or two widths, e.g. 16 or 16,16", onchange: (ev) => set("hidden")(ev.target.value) })));
      items.push(field("Activation", select(uid("net", "activation"),
        ["tanh", "logistic", "relu"].map((a) => [a, a]), state.activation, set("activation"))));
    }
    items.push(
      field("Optimizer", select(uid("net", "optimizer"), optimizers.map((o) => [o.name, o.title || o.name]),
        state.optimizer, set("optimizer"))),
      field("Learning rate", number(uid("net", "lr"), state.lr, { min: 1e-10, step: "any" }, set("lr"))),
      field("Steps", number(uid("net", "steps"), state.steps, { min: 1, max: 20000, step: 1 }, set("steps"))),
      field("Batch size (0 = full)", number(uid("net", "batch"), state.batch, { min: 0, max: 5000, step: 1 }, set("batch"))),
      field("Initialisation", select(uid("net", "init"), inits.map((i) => [i, i]), state.init, set("init"))),
      field("Seed", number(uid("net", "seed"), state.seed, { min: 0, step: 1 }, set("seed"))),
      h("label", { class: "net-field inline", for: "net-normalize" }, [
        h("input", { id: "net-normalize", type: "checkbox", checked: state.normalize,
          onchange: (ev) => set("normalize")(ev.target.checked) }),
        " normalise inputs (x − μ) / σ",
      ]),
    );
    setChildren(el, [h("h2", { class: "net-controls-title" }, "Network"), ...items]);
  }

  let key = "";
  return {
    update(state) {
      const k = JSON.stringify(state) + upload.name + upload.text.length;
      if (k !== key) {
        key = k;
        build(state);
      }
    },
  };
}
