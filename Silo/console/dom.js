// Small helpers for building the page from data: every value goes in as text, never as markup.

export const $ = (id) => document.getElementById(id);

export function text(value) { return value === null || value === undefined ? "" : String(value); }

/** An element with attributes (class, aria-*, data-*, hidden, …) and children (nodes or text). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "className") node.className = value;
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(text(child)));
  }
  return node;
}

export function row(cells, className) {
  return el("tr", { className }, cells.map((cell) => el("td", {}, cell)));
}

/** A table inside a horizontally scrolling wrapper, so narrow screens scroll it rather than the page. */
export function table(caption, headings, rows) {
  // On a phone the rows stack, each cell labelled by its column (CSS reads data-label).
  for (const tr of rows) [...tr.children].forEach((td, i) => td.setAttribute("data-label", headings[i] ?? ""));
  return el("div", { className: "table-wrap" },
    el("table", { className: "stack" },
      el("caption", { className: "visually-hidden" }, caption),
      el("thead", {}, el("tr", {}, headings.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)));
}

export function milliseconds(value) {
  if (value === null || value === undefined) return "–";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

export function since(iso) {
  if (!iso) return "–";
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min ago`;
}
