// The request planner: which requests the shown panels need. Pure: no I/O, no DOM.

/**
 * The panel rows shown for `state`: registry order, filtered by state.panels and by each
 * row's `applicable(catalog, state)`.
 */
export function shownRows(rows, catalog, state) {
  return rows.filter((r) => state.panels.includes(r.id) && (!r.applicable || r.applicable(catalog, state)));
}

/**
 * Every request for `state`: the page's base requests, then each shown row's, one per lane
 * (the first to plan a lane owns it). Each comes back as {...req, reduce} where reduce is the
 * request's own or its row's.
 */
export function planRequests(rows, base, catalog, state, ctx = {}) {
  const out = [];
  const lanes = new Set();
  const add = (req, owner) => {
    if (!req || lanes.has(req.lane)) return;
    lanes.add(req.lane);
    out.push({ ...req, reduce: req.reduce || owner?.reduce, panel: owner?.id ?? null });
  };
  for (const req of base?.requests?.(catalog, state, ctx) || []) add(req, base);
  for (const row of shownRows(rows, catalog, state)) {
    for (const req of row.requests?.(catalog, state, ctx) || []) add(req, row);
  }
  return out;
}
