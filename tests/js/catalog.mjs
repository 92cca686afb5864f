// A small hand-written catalog in the shape GET /api/catalog serves: enough for the pure modules.

export const CATALOG = {
  surfaces: [
    { name: "quadratic", title: "Quadratic", dims: 2, view: [-2, 2, -2, 2], default_start: [1.5, 1],
      critical_points: [{ kind: "minimum", x: 0, y: 0, f: 0 }],
      params: [{ name: "kappa", default: 10, min: 1, max: 1000, kind: "float", log: true }] },
    { name: "double_well", title: "Double well", dims: 1, view: [-2, 2, -1, 1], default_start: [0.5, 0],
      critical_points: [], params: [] },
  ],
  optimizers: [
    { name: "gd", title: "Gradient descent", lr: { default: 0.1, min: 1e-6, max: 10 }, hyperparams: [], surfaces_only: false },
    { name: "momentum", title: "Momentum", lr: { default: 0.05, min: 1e-6, max: 10 }, surfaces_only: false,
      hyperparams: [{ name: "momentum", default: 0.9, min: 0, max: 0.999, kind: "float" }] },
    { name: "newton", title: "Newton", lr: { default: 1, min: 1e-6, max: 10 }, hyperparams: [], surfaces_only: true },
  ],
  schedules: [
    { name: "constant", title: "constant", params: [] },
    { name: "step", title: "step decay", params: [{ name: "every", default: 100, min: 1, max: 10000, kind: "int" }] },
  ],
  limits: { max_steps: 20000, max_coordinate: 1e6, max_batch_size: 100000, max_noise: 100, max_seed: 2147483647 },
  scenes: [
    { id: "playground", title: "Playground", panels: ["contour", "curves"],
      state: { surface: "quadratic", steps: 200, panels: ["contour", "curves"],
        runs: [{ optimizer: "gd", lr: 0.1, start: [1.5, 1], color: "#0072B2" }] }, steps: [] },
    { id: "ravine", title: "Ravine", panels: ["contour", "curves"],
      state: { surface: "quadratic", params: { kappa: 50 }, steps: 100, panels: ["contour", "curves"],
        runs: [{ optimizer: "gd", lr: 0.02, start: [1.5, 1], color: "#0072B2" }] },
      steps: [
        { caption: "GD", state: { surface: "quadratic", params: { kappa: 50 }, steps: 100, panels: ["contour", "curves"],
          runs: [{ optimizer: "gd", lr: 0.02, start: [1.5, 1], color: "#0072B2" }] } },
        { caption: "momentum", state: { surface: "quadratic", params: { kappa: 50 }, steps: 100,
          panels: ["contour", "curves", "lr_sweep"],
          runs: [{ optimizer: "momentum", lr: 0.02, start: [1.5, 1], color: "#D55E00", hyperparams: { momentum: 0.8 } }] } },
      ] },
  ],
  datasets: [
    { name: "moons", title: "Two moons", task: "binary", params: [] },
    { name: "screening", title: "Screening", task: "binary", params: [{ name: "positive_rate" }] },
    { name: "housing", title: "Housing", task: "regression", params: [] },
  ],
  models: [
    { name: "mlp", title: "MLP", tasks: ["binary", "multiclass", "regression"], inits: ["xavier", "constant"],
      params: [{ name: "activation", kind: "choice", choices: ["tanh", "logistic", "relu"], default: "tanh" }] },
  ],
  network_scenes: [
    { id: "symmetry", title: "Symmetry", caption: "",
      state: { dataset: "moons", init: "constant", panels: "data,training,weights" },
      steps: [
        { caption: "tied", state: { dataset: "moons", init: "constant", panels: "data,training,weights" } },
        { caption: "free", state: { dataset: "moons", init: "xavier", lr: 0.5, panels: "data,training,weights" } },
      ] },
  ],
};
