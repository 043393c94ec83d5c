// The analytics charts, drawn as SVG, shared by the marketing console (every merchant, or
// one) and the merchant console (its own): offers shown and bought per plan, claim rates,
// loss ratios and the desk's SLA per week. analytics(...) builds the period form and the
// figures in the page's [data-analytics] element and draws them in the page's language.
// Text goes in as text nodes.
import { el, language, money } from "./i18n.js";

const $ = (selector, root = document) => root.querySelector(selector);
const locale = language() === "zh-hans" ? "zh-CN" : language();
export const number = (n) => (n == null ? "—" : new Intl.NumberFormat(locale).format(n));
export const percent = (x) => (x == null ? "—" : new Intl.NumberFormat(locale, { style: "percent",
  minimumFractionDigits: x < 0.1 ? 1 : 0, maximumFractionDigits: x < 0.1 ? 1 : 0 }).format(x));
const pluralRules = new Intl.PluralRules(locale);

// The period form (with a merchant filter for marketing, who see every merchant) and the four
// figures the charts are drawn in.
function panel(t, everyMerchant) {
  const field = (id, label, input) => el("div", { class: "cd-field" }, el("label", { for: id, text: t(label) }), input);
  const figure = (name, caption, ...extra) => el("figure", { class: "cd-card" },
    el("figcaption", {}, caption), el("div", { "data-chart": name }), ...extra);
  return [
    el("form", { class: "cd-card period", "data-period": true },
      field("since", "from", el("input", { id: "since", name: "since", type: "date" })),
      field("until", "to", el("input", { id: "until", name: "until", type: "date" })),
      everyMerchant ? field("merchant", "merchant", el("input", { id: "merchant", name: "merchant", placeholder: t("merchantHint") })) : null,
      field("by", "claimsPer", el("select", { id: "by", name: "by" },
        ["category", "sku", ...(everyMerchant ? ["merchant"] : [])].map((by) => el("option", { value: by, text: t(by) })))),
      el("button", { class: "cd-btn", type: "submit", text: t("show") })),
    el("div", { class: "charts" },
      figure("offers", t("offersCaption"), el("p", { class: "cd-muted", "data-leads": true })),
      figure("claims", [el("span", { text: t("claimRateCaption") }), " ", el("span", { "data-by-label": true }), " ",
        el("span", { text: t("claimRateAfter") })]),
      figure("loss", t("lossCaption")),
      figure("sla", t("slaCaption"))),
  ];
}

// analytics({ api, t, fail, everyMerchant }) builds the panel and returns the loader of the
// charts.
export function analytics({ api, t, fail, everyMerchant = false }) {
  $("[data-analytics]").replaceChildren(...panel(t, everyMerchant));
  // "3 purchases": the noun's form by the language's plural rules (messages: key_one...).
  const plural = (key, n) => t(`${key}_${pluralRules.select(n)}`, { n: number(n) });

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) if (value != null) node.setAttribute(name, value);
    for (const child of children.flat()) if (child != null) node.append(child instanceof Node ? child : document.createTextNode(child));
    return node;
  }
  const COLORS = ["#0b5cad", "#e07b00", "#116329", "#a40e26"];
  const truncate = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
  // A label in lines of at most n characters, broken between words (Chinese anywhere), at most
  // `most` lines; only a label longer than that is shortened, and its full text is its title.
  function wrap(text, n, most = 2) {
    const words = /\s/.test(text) ? text.split(/\s+/) : Array.from(text);
    const joiner = /\s/.test(text) ? " " : "";
    const lines = [];
    let line = "";
    for (const word of words) {
      const next = line ? `${line}${joiner}${word}` : word;
      if (next.length > n && line) { lines.push(line); line = word; } else line = next;
    }
    if (line) lines.push(line);
    if (lines.length > most) lines.splice(most - 1, lines.length, truncate(lines.slice(most - 1).join(joiner), n));
    return lines.map((l) => truncate(l, n));
  }

  // Horizontal bars: rows of {label, values: [..]}, one bar per series, each labelled.
  function barChart(rows, series, { format = number, max, labels } = {}) {
    if (!rows.length) return el("p", { class: "cd-muted", text: t("nothing") });
    const labelWidth = 190, width = 560, barH = 14, gap = 4, lineH = 14;
    const labelled = rows.map((row) => wrap(row.label, 27));
    const rowHeights = labelled.map((lines) => Math.max(series.length * (barH + gap), lines.length * lineH + 2) + 10);
    const offsets = rowHeights.map((_, i) => rowHeights.slice(0, i).reduce((a, b) => a + b, 0));
    const top = Math.max(max ?? 0, ...rows.flatMap((r) => r.values.map((v) => v ?? 0))) || 1;
    const scale = (v) => ((width - labelWidth - 70) * (v ?? 0)) / top;
    const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${rowHeights.reduce((a, b) => a + b, 0) + 4}`, role: "img",
      "aria-label": rows.map((r) => `${r.label}: ${r.values.map((v, i) => `${series[i]} ${format(v)}`).join(", ")}`).join("; ") });
    rows.forEach((row, i) => {
      const y = offsets[i] + 4;
      chart.append(svg("text", { class: "label", x: 0, y: y + barH, "font-weight": 600 },
        svg("title", {}, row.label),
        labelled[i].map((line, n) => svg("tspan", { x: 0, dy: n ? lineH : 0 }, line))));
      row.values.forEach((value, s) => {
        const by = y + s * (barH + gap);
        chart.append(svg("rect", { x: labelWidth, y: by, width: Math.max(scale(value), 1), height: barH, rx: 2, fill: COLORS[s] },
          svg("title", {}, `${row.label} · ${series[s]}: ${format(value)}`)));
        const text = labels?.[s] ? labels[s](row) : format(value);
        // After the bar when it fits (about 6.5 px a character), else inside its end.
        const end = labelWidth + scale(value);
        const fits = end + 6 + text.length * 6.5 <= width;
        chart.append(svg("text", fits ? { class: "value", x: end + 6, y: by + barH - 3 }
          : { class: "value inside", x: end - 6, y: by + barH - 3, "text-anchor": "end" }, text));
      });
    });
    return chart;
  }

  function legend(series) {
    return el("ul", { class: "legend" }, series.map((name, i) => el("li", {}, el("i", { style: `background:${COLORS[i]}` }), name)));
  }

  // Columns of claims filed per week, with the breach rate as a line on its own scale.
  function slaChart(weeks) {
    const width = 520, height = 190, left = 30, bottom = 24, top = 10;
    const plotH = height - bottom - top;
    const maxFiled = Math.max(1, ...weeks.map((w) => w.filed));
    const step = (width - left - 10) / weeks.length;
    const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": weeks.map((w) => t("weekOf", { week: w.week, filed: w.filed, rate: percent(w.breach_rate) })).join("; ") });
    chart.append(svg("line", { class: "axis", x1: left, x2: width - 10, y1: top + plotH, y2: top + plotH }));
    chart.append(svg("text", { class: "value", x: 0, y: top + 8 }, String(maxFiled)));
    const points = [];
    weeks.forEach((week, i) => {
      const x = left + i * step;
      const h = (plotH * week.filed) / maxFiled;
      chart.append(svg("rect", { x: x + 3, y: top + plotH - h, width: step - 6, height: Math.max(h, week.filed ? 1 : 0), fill: COLORS[0], rx: 2 },
        svg("title", {}, t("weekTitle", { week: week.week, filed: week.filed, breached: week.breached,
          first: week.median_first_response_hours ?? "—", decision: week.median_decision_hours ?? "—" }))));
      if (i % 2 === 0 || weeks.length <= 8) {
        chart.append(svg("text", { class: "value", x: x + step / 2, y: height - 6, "text-anchor": "middle" }, week.week.slice(5)));
      }
      if (week.breach_rate != null) points.push(`${x + step / 2},${top + plotH - plotH * week.breach_rate}`);
    });
    if (points.length) {
      chart.append(svg("polyline", { points: points.join(" "), fill: "none", stroke: COLORS[3], "stroke-width": 2 }));
      for (const point of points) {
        const [cx, cy] = point.split(",");
        chart.append(svg("circle", { cx, cy, r: 3, fill: COLORS[3] }));
      }
    }
    return chart;
  }

  function analyticsQuery() {
    const data = new FormData($("[data-period]"));
    const params = new URLSearchParams();
    for (const name of ["since", "until", "merchant"]) if (data.get(name)) params.set(name, data.get(name));
    return params;
  }

  async function loadAnalytics() {
    const period = $("[data-period]");
    if (!period.since.value) {  // a year by default: claims come months after the sale
      const since = new Date(Date.now() - 364 * 86400e3);
      period.since.value = since.toISOString().slice(0, 10);
    }
    const params = analyticsQuery();
    const by = $("#by").value;
    const [offers, claims, loss, sla] = await Promise.all([
      api(`analytics/offers/?${params}`),
      api(`analytics/claims/?${params}&by=${by}`),
      api(`analytics/loss-ratio/?${params}`),
      api(`analytics/sla/?${new URLSearchParams({ weeks: "12", ...(params.get("merchant") ? { merchant: params.get("merchant") } : {}) })}`),
    ]);
    const form = $("[data-period]");
    form.since.value = offers.since;
    form.until.value = offers.until;
    const chart = (name, ...nodes) => $(`[data-chart="${name}"]`).replaceChildren(...nodes);
    const offerSeries = [t("shown"), t("bought")];
    chart("offers", barChart(offers.plans.slice(0, 8).map((p) => ({ label: p.plan_name || p.plan_code,
      values: [p.impressions, p.units], rate: p.conversion_rate })), offerSeries,
    { labels: [null, (row) => row.rate == null ? number(row.values[1]) : t("ofViews", { n: number(row.values[1]), rate: percent(row.rate) })] }), legend(offerSeries));
    const l = offers.leads;
    $("[data-leads]").textContent = t("leads", { leads: plural("purchase", l.leads), offered: number(l.offered),
      converted: number(l.converted), bought: number(l.units_bought), units: plural("unit", l.units) });
    $("[data-by-label]").textContent = t("per")[by] || by;
    chart("claims", barChart(claims.groups.slice(0, 10).map((g) => ({
      label: `${g.key || "—"} (${g.claims}/${g.contracts})`, values: [g.claim_rate] })), [t("claimRate")], { format: percent }),
    el("p", { class: "cd-muted" }, claims.groups.slice(0, 3).map((g) => `${g.key}: ` +
      Object.entries(g.reasons).map(([reason, n]) => `${t("reasons")[reason] || reason.replaceAll("_", " ")} ${n}`).join(", ")).join(" · ")));
    chart("loss", barChart(loss.plans.slice(0, 10).map((p) => ({ label: `${p.plan_name} ${p.currency}`,
      values: [p.loss_ratio] })), [t("lossRatio")], { format: percent }),
    el("p", { class: "cd-muted" }, loss.plans.slice(0, 3).map((p) => t("lossLine", { plan: p.plan_name,
      paid: money(p.claims_paid, p.currency), earned: money(p.earned_premiums, p.currency),
      kept: money(p.premiums, p.currency) })).join(" · ")));
    chart("sla", slaChart(sla.weeks), el("ul", { class: "legend" },
      el("li", {}, el("i", { style: `background:${COLORS[0]}` }), t("claimsFiled")),
      el("li", {}, el("i", { style: `background:${COLORS[3]}` }), t("breachShare"))));
  }

  $("[data-period]").addEventListener("submit", (event) => {
    event.preventDefault();
    loadAnalytics().catch(fail);
  });
  return loadAnalytics;
}
