// Colour-blind-safe colours (Okabe & Ito, "Color Universal Design", 2008).

/** Run colours, in the order new runs take them; yellow last (weak on white). */
export const RUN_COLORS = [
  { name: "blue", hex: "#0072B2" },
  { name: "vermillion", hex: "#D55E00" },
  { name: "bluish green", hex: "#009E73" },
  { name: "reddish purple", hex: "#CC79A7" },
  { name: "orange", hex: "#E69F00" },
  { name: "sky blue", hex: "#56B4E9" },
  { name: "black", hex: "#000000" },
  { name: "yellow", hex: "#F0E442" },
];

/**
 * Basin fills: pale neutrals (sand, grey, slate, taupe...) that are no run's colour, so a
 * basin is never mistaken for the run of the same hue; neighbours differ in lightness and on
 * the blue-yellow axis, which protanopia and deuteranopia keep.
 */
export const BASIN_COLORS = [
  "#e6dcc8", "#b5b5b5", "#d2d8e0", "#c9bfd0", "#ece3b0", "#c8d0c0", "#f0e0e0", "#d9cbb8",
];
export const DIVERGED_COLOR = "#3b3b3b";
export const ESCAPED_COLOR = "#8c6d31";
export const NONE_COLOR = "#f2f2f2";

/** Contour fill: light greys, so saturated paths stand out. */
export const SURFACE_SCALE = [
  [0, "#ffffff"], [0.35, "#e6e6e6"], [0.7, "#bdbdbd"], [1, "#8a8a8a"],
];
/** 3-D surface: a perceptually ordered scale (viridis) reads well in depth. */
export const SURFACE3D_SCALE = "Viridis";

export function colorName(hex) {
  const c = RUN_COLORS.find((c) => c.hex.toLowerCase() === String(hex).toLowerCase());
  return c ? c.name : hex;
}

/** The first palette colour not used by `used` (hex strings). */
export function nextColor(used) {
  const taken = new Set(used.map((u) => String(u).toLowerCase()));
  const free = RUN_COLORS.find((c) => !taken.has(c.hex.toLowerCase()));
  return (free || RUN_COLORS[used.length % RUN_COLORS.length]).hex;
}
