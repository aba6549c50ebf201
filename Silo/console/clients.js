// Connected clients per silo, from GET /admin/connections (every silo asked for its own connections).
import { $, el, since, table } from "./dom.js";

const shownPerSilo = 50; // a silo may hold thousands: the page shows the first ones and says how many more

function bySilo(connections) {
  const silos = new Map();
  for (const c of connections) {
    if (!silos.has(c.silo)) silos.set(c.silo, new Map());
    const clients = silos.get(c.silo);
    if (!clients.has(c.client_id)) clients.set(c.client_id, []);
    clients.get(c.client_id).push(c);
  }
  return silos;
}

/** health: GET /admin/health (for every silo, also those without connections); answer: GET /admin/connections. */
export function renderClients(health, answer) {
  const grouped = bySilo(answer.connections);
  const perSilo = answer.stats.connections_per_silo ?? {};
  $("clients-summary").textContent =
    `${answer.stats.total_connections} connection(s) from ${answer.stats.unique_clients} client(s)`;
  const silos = health.cluster.map((s) => s.silo);
  for (const silo of grouped.keys()) if (!silos.includes(silo)) silos.push(silo);
  $("clients").replaceChildren(...silos.map((silo) => {
    const self = health.cluster.find((s) => s.silo === silo)?.self;
    const clients = [...(grouped.get(silo) ?? new Map()).entries()].sort(([a], [b]) => a.localeCompare(b));
    const count = perSilo[silo];
    const heading = el("h3", {}, `Silo ${silo}${self ? " (this silo)" : ""}`);
    const summary = el("p", { className: "muted small" },
      count === null ? "Did not answer." : `${count ?? 0} connection(s), ${clients.length} client(s)`);
    const rows = clients.slice(0, shownPerSilo).map(([clientId, connections]) => el("tr", { "data-client": clientId },
      el("td", {}, clientId),
      el("td", {}, connections.length),
      el("td", {}, connections.map((c) => c.user_id).filter(Boolean).join(", ") || "–"),
      el("td", {}, since(connections.reduce((a, c) => (c.created_at < a ? c.created_at : a), connections[0].created_at))),
      el("td", {}, since(connections.reduce((a, c) => (c.last_ping > a ? c.last_ping : a), connections[0].last_ping)))));
    return el("div", { className: "silo-clients", "data-silo": silo },
      heading,
      summary,
      clients.length ? table(`Clients connected to silo ${silo}`, ["Client id", "Streams", "User", "Connected", "Last ping"], rows) : null,
      clients.length > shownPerSilo ? el("p", { className: "muted small" }, `and ${clients.length - shownPerSilo} more clients`) : null);
  }));
}
