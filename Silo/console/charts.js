// Small inline SVG line charts over samples the page keeps in bounded rings (no library, works offline).

/** The newest `capacity` items pushed; older ones fall out. */
export class Ring {
  constructor(capacity) { this.capacity = capacity; this.items = []; }
  push(item) {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }
  get last() { return this.items[this.items.length - 1]; }
  get length() { return this.items.length; }
}

const svgNs = "http://www.w3.org/2000/svg";
const width = 300;
const height = 64;
const minimumSlots = 20;

function svg(tag, attributes) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function format(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded}${unit}`;
}

/**
 * A line chart of several series over the same samples. series: [{ name, className, values: (number|null)[] }].
 * Its accessible name says what it shows and each series' latest value, so it is readable without seeing it.
 */
export function lineChart(title, series, unit, capacity) {
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = Math.max(1e-9, ...values);
  const latest = series.map((s) => `${s.name} ${format(s.values[s.values.length - 1], unit)}`).join(", ");
  const samples = Math.max(0, ...series.map((s) => s.values.length));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", class: "chart", role: "img" });
  chart.setAttribute("aria-label", `${title}: latest ${latest} (${samples} samples)`);
  chart.dataset.samples = String(samples);
  const label = svg("title", {});
  label.textContent = `${title}: latest ${latest}`;
  chart.append(label);
  chart.append(svg("line", { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: "axis" }));
  // Few samples are spread over a minimum width rather than squeezed against the right edge.
  const slots = Math.min(capacity, Math.max(minimumSlots, samples));
  const step = width / Math.max(1, slots - 1);
  for (const s of series) {
    const offset = slots - s.values.length; // the newest sample sits at the right edge
    const points = [];
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      points.push(`${((offset + i) * step).toFixed(1)},${(height - 2 - (v / max) * (height - 6)).toFixed(1)}`);
    });
    if (points.length === 1) points.push(points[0].replace(/^[^,]+/, (x) => String(Number(x) - 2)));
    chart.append(svg("polyline", { points: points.join(" "), class: `series ${s.className}`, fill: "none" }));
  }
  const figure = document.createElement("div");
  figure.className = "chart-box";
  const legend = document.createElement("p");
  legend.className = "legend small";
  legend.append(`${title} · max ${format(max === 1e-9 ? 0 : max, unit)} · `);
  series.forEach((s, i) => {
    const key = document.createElement("span");
    key.className = `key ${s.className}`;
    key.textContent = `${s.name} ${format(s.values[s.values.length - 1], unit)}`;
    legend.append(key);
    if (i < series.length - 1) legend.append(" ");
  });
  figure.append(chart, legend);
  return figure;
}
