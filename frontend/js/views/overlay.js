// An SVG layer over a Plotly plot's axes, for marks that move on every input (the threshold's
// ROC point, the decision boundary): updating one path's `d` costs microseconds, where any
// Plotly shape change recomputes every trace (shapes are "calc" edits in Plotly).

const NS = "http://www.w3.org/2000/svg";

/**
 * createOverlay(gd) -> {draw(marks)} with marks = [{path?, circle?: [x, y, r], stroke, fill, width}]
 * in data coordinates; redrawn after every Plotly draw of gd (new axes, a resize).
 */
export function createOverlay(gd) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "overlay");
  svg.setAttribute("aria-hidden", "true");
  gd.after(svg);
  let marks = [];
  let hooked = false;

  function render() {
    const fl = gd._fullLayout;
    if (!fl || !fl.xaxis || !fl.yaxis) return;
    if (!hooked && gd.on) {
      gd.on("plotly_afterplot", render);
      hooked = true;
    }
    const xa = fl.xaxis;
    const ya = fl.yaxis;
    const box = { left: gd.offsetLeft + xa._offset, top: gd.offsetTop + ya._offset, width: xa._length, height: ya._length };
    for (const [k, v] of Object.entries(box)) svg.style[k] = `${v}px`;
    const px = (x) => xa.l2p(x);
    const py = (y) => ya.l2p(y);
    const els = marks.map((m) => {
      let el;
      if (m.circle) {
        el = document.createElementNS(NS, "circle");
        el.setAttribute("cx", px(m.circle[0]));
        el.setAttribute("cy", py(m.circle[1]));
        el.setAttribute("r", m.circle[2]);
      } else {
        el = document.createElementNS(NS, "path");
        el.setAttribute("d", m.segments.map(([a, b, c, d]) => `M${px(a)},${py(b)}L${px(c)},${py(d)}`).join(""));
      }
      el.setAttribute("stroke", m.stroke || "none");
      el.setAttribute("fill", m.fill || "none");
      el.setAttribute("stroke-width", m.width || 1);
      return el;
    });
    svg.replaceChildren(...els);
  }

  return {
    draw(next) {
      marks = next;
      render();
    },
  };
}
