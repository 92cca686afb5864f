// Read what a student sees from the page (evaluated by tests/browser/conftest.py's `ui.js`).
// One object literal of functions, each taking one argument.
({
  /** The Plotly divs of a panel (a layered view has two: background, foreground). */
  plots(name) {
    const body = document.getElementById(`view-${name}`);
    return body ? [...body.querySelectorAll(".js-plotly-plot")] : [];
  },

  /** Every trace of a panel, summarised, one list per Plotly div. */
  summary(name) {
    return this.plots(name).map((gd) => (gd.data || []).map((t) => ({
      type: t.type || "scatter",
      mode: t.mode || null,
      name: t.name || null,
      n: t.meta?.points ?? (t.x ? t.x.length : t.z ? t.z.length : 0), // a path: its iterates
      x0: t.x && t.x.length ? t.x[0] : null,
      y0: t.y && t.y.length ? t.y[0] : null,
    })));
  },

  /** The contour's run paths (foreground line traces named "run k: ..."). */
  paths() {
    const fg = this.plots("contour")[1];
    return fg ? fg.data.filter((t) => t.mode === "lines" && (t.name || "").startsWith("run ")) : [];
  },

  /** True when every run path starts within tol of (x, y). */
  startsAt([x, y, tol]) {
    const p = this.paths();
    return p.length > 0 && p.every((t) => Math.abs(t.x[0] - x) < tol && Math.abs(t.y[0] - y) < tol);
  },

  /** True when the contour's run paths have exactly these lengths. */
  pathLengthsAre(want) {
    return JSON.stringify(this.pathLengths()) === JSON.stringify(want);
  },

  /** The contour's run-path lengths. */
  pathLengths() {
    return this.paths().map((t) => t.meta.points);
  },

  /** True once panel `name` shows its data for `runs` runs (see frontend/js/views). */
  ready([name, runs]) {
    const body = document.getElementById(`view-${name}`);
    if (!body) return false;
    const all = this.plots(name).flatMap((gd) => gd.data || []);
    const lines = all.filter((t) => (t.type || "scatter") === "scatter" && t.mode === "lines" && t.x?.length > 1);
    switch (name) {
      case "contour":
        return all.some((t) => t.type === "contour") && lines.length >= runs;
      case "surface3d":
        return all.some((t) => t.type === "surface") &&
          all.filter((t) => t.type === "scatter3d" && t.mode === "lines").length >= runs;
      case "curves":
        return lines.length >= runs;
      case "curve1d":
        return all.some((t) => t.name === "f(w)") && all.some((t) => t.type === "heatmap") &&
          all.filter((t) => t.mode === "markers" && t.x?.length > 1).length >= runs;
      case "lr_sweep":
        return all.some((t) => t.name === "final loss" && t.x.length > 1);
      case "basins": {
        const legend = body.querySelector(".legend");
        return all.some((t) => t.type === "heatmap") && !!legend && !legend.textContent.includes("computing");
      }
      case "lr_momentum":
        return all.some((t) => t.type === "heatmap");
      case "hessian": {
        const probe = body.querySelector(".probe");
        return !!probe?.textContent && !probe.textContent.includes("probing");
      }
      case "table":
        return body.querySelectorAll(".recap-table tbody tr").length > 0 && !!body.querySelector(".check");
      default:
        return false;
    }
  },

  /** Page coordinates of data point (x, y) on a cartesian panel (its top Plotly div). */
  toPixel([name, x, y]) {
    const all = this.plots(name);
    const gd = all[all.length - 1];
    const fl = gd._fullLayout;
    const r = gd.getBoundingClientRect();
    return [r.left + fl.xaxis._offset + fl.xaxis.l2p(x), r.top + fl.yaxis._offset + fl.yaxis.l2p(y)];
  },

  /** Annotation texts of some panels' plots. */
  annotations(names) {
    return names.flatMap((n) => this.plots(n)).flatMap((gd) => (gd.layout.annotations || []).map((a) => a.text));
  },

  /** Probe arrows drawn on the contour (data-anchored annotations with an arrow). */
  probeArrows() {
    const fg = this.plots("contour")[1];
    return (fg.layout.annotations || []).filter((a) => a.showarrow && a.axref === "x").length;
  },

  /** True when every x and y in the panels' traces is a finite number or a gap (null). */
  allFinite(names) {
    const ok = (v) => v === null || Number.isFinite(v);
    return names.flatMap((n) => this.plots(n)).every((gd) =>
      gd.data.every((t) => ["x", "y"].every((k) => !t[k] || t[k].every(ok))));
  },

  /** Standard deviation of each loss curve after step `from`. */
  curveSpread(from) {
    const gd = this.plots("curves")[0];
    return gd.data.filter((t) => t.mode === "lines").map((t) => {
      const y = t.y.slice(from);
      const m = y.reduce((a, b) => a + b, 0) / y.length;
      return Math.sqrt(y.reduce((a, b) => a + (b - m) ** 2, 0) / y.length);
    });
  },

  /** Panels, timeline and header inside the viewport, and no horizontal scrolling. */
  fits() {
    const W = innerWidth;
    const H = innerHeight;
    const outside = [...document.querySelectorAll(".panel, .timeline, .top")].filter((e) => {
      const r = e.getBoundingClientRect();
      const bottomOut = e.matches(".timeline, .top") && r.bottom > H + 1;
      return r.left < -1 || r.right > W + 1 || bottomOut;
    }).map((e) => e.className);
    return { outside, scrollW: document.documentElement.scrollWidth, W };
  },

  /**
   * Every plot has been laid out at its panel's current width (Plotly's responsive resize after
   * a viewport change). Widths only: a short 3-D scene's height can stay a few pixels over its box.
   */
  plotWidthsFit() {
    return [...document.querySelectorAll("#panels .js-plotly-plot")].every((gd) => {
      const fl = gd._fullLayout;
      return !gd.clientWidth || (fl && Math.abs(fl.width - gd.clientWidth) <= 3);
    });
  },

  /** Every plot has been laid out at its panel's current size (Plotly's responsive resize). */
  plotsFit() {
    return [...document.querySelectorAll("#panels .js-plotly-plot")].every((gd) => {
      const fl = gd._fullLayout;
      if (!gd.clientWidth || !gd.clientHeight) return true; // not laid out: nothing to wait for
      return fl && Math.abs(fl.width - gd.clientWidth) <= 3 && Math.abs(fl.height - gd.clientHeight) <= 3;
    });
  },

  /**
   * What a room sees: axis titles outside their plot, the run legend, sideways scrolling,
   * whether the panels stack, and the caption's height.
   */
  room() {
    const clipped = [];
    for (const gd of document.querySelectorAll("#panels .js-plotly-plot")) {
      const box = gd.getBoundingClientRect();
      if (!box.width || !box.height) continue;
      for (const t of gd.querySelectorAll(".g-xtitle text, .g-ytitle text, .g-y2title text")) {
        if (!t.textContent.trim()) continue;
        const r = t.getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
          clipped.push(`${gd.closest(".panel")?.dataset.panel}: ${t.textContent}`);
        }
      }
    }
    // Tick labels of one axis that overlap (each axis layer holds one axis's labels).
    const crowded = [];
    for (const gd of document.querySelectorAll("#panels .js-plotly-plot")) {
      for (const layer of gd.querySelectorAll(".xaxislayer-above, .yaxislayer-above")) {
        const boxes = [...layer.querySelectorAll("text")]
          .filter((t) => t.textContent.trim() && t.style.opacity !== "0")
          .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
          .filter((b) => b.r.width > 0 && b.r.height > 0);
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i].r;
            const b = boxes[j].r;
            const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const hgt = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (w > 1 && hgt > 1) crowded.push(`${gd.closest(".panel")?.dataset.panel}: ${boxes[i].text} / ${boxes[j].text}`);
          }
        }
      }
    }
    const legend = [...document.querySelectorAll("#run-legend .legend-item")]
      .filter((e) => e.getBoundingClientRect().width > 0).map((e) => e.dataset.color);
    const lefts = [...document.querySelectorAll("#panels .panel")].map((e) => Math.round(e.getBoundingClientRect().left));
    const caption = document.getElementById("caption").getBoundingClientRect();
    return { clipped, crowded, legend, stacked: new Set(lefts).size <= 1, W: innerWidth, H: innerHeight,
      scrollW: document.documentElement.scrollWidth, captionH: caption.height };
  },

  /** The colours of the runs drawn on the classroom page's paths (contour, curves, 1-D curve). */
  runColors() {
    const colors = new Set();
    for (const gd of document.querySelectorAll("#panels .js-plotly-plot")) {
      for (const t of gd.data || []) {
        const c = String(t.line?.color || t.marker?.color || "").toUpperCase();
        if (/^run \d/.test(t.name || "") && /^#[0-9A-F]{6}$/.test(c)) colors.add(c);
      }
    }
    return [...colors];
  },

  /** The panels the page's own planner shows for a scene's first step (no Python copy of the rule). */
  async shownFor(scene) {
    const [st, reg, planner] = await Promise.all([import("/js/state.js"), import("/js/panels.js"), import("/js/planner.js")]);
    const catalog = await (await fetch("/api/catalog")).json();
    return planner.shownRows(reg.SURFACE_PANELS, catalog, st.sceneState(catalog, scene, 0)).map((r) => r.id);
  },

  /** Panel ids in the page's own registry order (frontend/js/panels.js). */
  async registry(page) {
    const m = await import("/js/panels.js");
    return (page === "network" ? m.NETWORK_PANELS : m.SURFACE_PANELS).map((p) => p.id);
  },

  /** Count the views' draws (and the basin map's partial ones) from now on. */
  countDraws() {
    window.__draws = { all: 0, partialBasins: 0 };
    document.addEventListener("losscape:drawn", (e) => {
      window.__draws.all += 1;
      if (e.detail.view === "basins" && e.detail.done < e.detail.total) window.__draws.partialBasins += 1;
    });
  },

  draws() {
    return window.__draws;
  },

  /** decode(encode(state)) against normalize(state), for every scene step and an edited copy. */
  async codecRoundTrip() {
    const st = await import("/js/state.js");
    const catalog = await (await fetch("/api/catalog")).json();
    const bad = [];
    for (const scene of catalog.scenes) {
      for (let k = 0; k < Math.max(1, scene.steps.length); k++) {
        const s = st.sceneState(catalog, scene.id, k);
        const edited = {
          ...s, seed: 7, t: 3, present: true, noise: 0.25,
          runs: s.runs.map((r, i) => ({ ...r, lr: r.lr * 1.5, start: [0.125 * i, -0.5] })),
        };
        for (const x of [s, edited]) {
          const back = st.decodeHash(catalog, st.encodeHash(catalog, x));
          if (JSON.stringify(back) !== JSON.stringify(st.normalize(catalog, x))) bad.push([scene.id, k]);
        }
      }
    }
    return bad;
  },
})
