// Coverdesk checkout widget. One tag on the merchant's page:
//   <script type="module" src="https://coverdesk.example/static/app/widget/coverdesk.js"
//           data-coverdesk-key="pk_cd_..."></script>
// Product pages: <div data-coverdesk-offers data-sku data-title data-category data-price
//                     data-currency data-warranty-months></div>
// After add to cart: await Coverdesk.offerModal(product) -> the chosen offer or null.
// Cart: Coverdesk.mountCart(element, lines) where each line is {product, offer, quantity}.
// Post-purchase offer pages: Coverdesk.fetchLead(token), then mountCart with {lead}.
import { el, language, money, translator } from "../shared/i18n.js";

const script = document.querySelector("script[data-coverdesk-key]");
const KEY = script.dataset.coverdeskKey;
const API = new URL("/api/v1/", script.src).href;
// The merchant console's preview (data-coverdesk-preview): offers as shoppers see them,
// but nothing counted in the merchant's analytics.
const PREVIEW = "coverdeskPreview" in script.dataset;

const t = translator({
  en: {
    protect: "Protect it", none: "No protection", where: "Plans for shoppers in",
    terms: "See plan terms", months: "{n} months", deductible: "Deductible {amount}",
    waiting: "Claims from day {n}", adh: "Accidents covered", base: "Breakdowns covered",
    add: "Add protection", skip: "No thanks", modalTitle: "Protect your {title}?",
    cart: "Protection plans", email: "E-mail", first: "First name", last: "Last name",
    card: "Card", pay: "Pay {amount}", paying: "Paying…", paid: "Your plans are active.",
    portal: "Manage them in your plans portal", error: "Something went wrong: {message}",
    news: "Send me news about my plans by e-mail (optional)", empty: "No plans in the cart.",
    declined: "Your card was declined: {message}", loading: "Loading plans…",
    nothing: "No protection plans for this product here.",
    taxIncluded: "includes {amount} {name}",
  },
  pl: {
    protect: "Chroń zakup", none: "Bez ochrony", where: "Plany dla klientów z",
    terms: "Zobacz warunki planu", months: "{n} mies.", deductible: "Udział własny {amount}",
    waiting: "Zgłoszenia od dnia {n}", adh: "Obejmuje przypadkowe uszkodzenia",
    base: "Obejmuje awarie", add: "Dodaj ochronę", skip: "Nie, dziękuję",
    modalTitle: "Chronić {title}?", cart: "Plany ochrony", email: "E-mail", first: "Imię",
    last: "Nazwisko", card: "Karta", pay: "Zapłać {amount}", paying: "Płatność…",
    paid: "Twoje plany są aktywne.", portal: "Zarządzaj nimi w portalu",
    error: "Coś poszło nie tak: {message}", news: "Wysyłajcie mi informacje o moich planach (opcjonalnie)",
    empty: "Brak planów w koszyku.", declined: "Karta odrzucona: {message}",
    loading: "Ładowanie planów…", nothing: "Brak planów ochrony dla tego produktu.",
    taxIncluded: "w tym {name}: {amount}",
  },
  "zh-hans": {
    protect: "为它投保", none: "不需要保障", where: "适用地区", terms: "查看保障条款",
    months: "{n} 个月", deductible: "免赔额 {amount}", waiting: "第 {n} 天起可理赔",
    adh: "含意外损坏", base: "含故障保障", add: "添加保障", skip: "不用了",
    modalTitle: "为您的 {title} 投保？", cart: "保障计划", email: "电子邮箱", first: "名",
    last: "姓", card: "银行卡", pay: "支付 {amount}", paying: "正在支付…", paid: "您的保障已生效。",
    portal: "在保障门户中管理", error: "出错了：{message}", news: "通过电子邮件接收保障相关信息（可选）",
    empty: "购物车中没有保障计划。", declined: "银行卡被拒：{message}", loading: "正在加载保障计划…",
    nothing: "该商品在此地区没有保障计划。",
    taxIncluded: "含{name} {amount}",
  },
});

async function call(path, { method = "GET", body } = {}) {
  const response = await fetch(API + path, {
    method,
    headers: { "Coverdesk-Key": KEY, "Content-Type": "application/json",
      "Accept-Language": language() },
    body: body && JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.message || response.statusText), data);
  return data;
}

let configPromise;
const config = () => (configPromise ??= call("widget/config/"));
// Where plans are sold, from the API (one list, the backend's), by name in the shopper's
// language.
let placesPromise;
const places = () => (placesPromise ??= call("widget/jurisdictions/").then((rows) => {
  const collator = new Intl.Collator(language() === "zh-hans" ? "zh-CN" : language());
  const named = rows.map((row) => ({ code: row.code, name: row.names[language()] || row.names.en }));
  return named.sort((a, b) => collator.compare(a.name, b.name));
}).catch((error) => {
  placesPromise = undefined; // the next render asks again
  throw error;
}));

export function jurisdiction() {
  return localStorage.getItem("coverdesk:jurisdiction") || "US-CA";
}

function setJurisdiction(code) {
  localStorage.setItem("coverdesk:jurisdiction", code);
  document.dispatchEvent(new CustomEvent("coverdesk:jurisdiction", { detail: code }));
}

function productOf(node) {
  const d = node.dataset;
  return { sku: d.sku, title: d.title, category: d.category, price: Number(d.price),
    currency: d.currency, manufacturer_warranty_months: Number(d.warrantyMonths || 12) };
}

export async function fetchOffers(product, quantity = 1) {
  const body = { product: { title: product.title, category: product.category,
    price: product.price, currency: product.currency,
    manufacturer_warranty_months: product.manufacturer_warranty_months },
  jurisdiction: jurisdiction(), quantity };
  return (await call("widget/offers/", { method: "POST", body })).offers;
}

export async function fetchLead(token) {
  return call(`widget/leads/${encodeURIComponent(token)}/`);
}

// Offer analytics: which plans were shown, and when the shopper said no to all of them.
// Fire-and-forget: analytics never block or break the page.
export function report(kind, offers, product) {
  if (PREVIEW || !offers.length) return;
  call("widget/events/", { method: "POST", body: { events: [{ kind, category: product.category,
    jurisdiction: offers[0].jurisdiction || jurisdiction(),
    plan_codes: offers.map((o) => o.plan_code) }] } }).catch(() => {});
}

// The taxes a price includes, where the shopper's state taxes service contracts: shown
// beside the price, as the law and the contract show them.
function taxNote(taxes, currency) {
  return taxes.map(({ name, amount }) => t("taxIncluded", { name, amount: money(amount, currency) }))
    .join(", ");
}

export function offerLabel(offer) {
  const taxes = offer.taxes || [];
  return el("span", { class: "cd-offer-text" },
    el("strong", { text: offer.name }), " · ", el("span", { text: offer.price_display }),
    taxes.length ? el("span", { class: "cd-muted cd-tax", text: ` (${taxNote(taxes, offer.currency)})` }) : null,
    el("br"),
    el("span", { class: "cd-muted", text: [
      t("months", { n: offer.term_months }), t(offer.coverage),
      offer.deductible ? t("deductible", { amount: money(offer.deductible, offer.currency) }) : null,
      offer.waiting_period_days ? t("waiting", { n: offer.waiting_period_days + 1 }) : null,
    ].filter(Boolean).join(" · ") }));
}

export function termsLink(offer) {
  return el("a", { href: offer.terms_url, target: "_blank", rel: "noopener",
    class: "cd-terms", text: t("terms") });
}

const chosen = new Map(); // sku -> offer chosen on the product page

export function selected(sku) {
  return chosen.get(sku) || null;
}

async function renderOffers(node) {
  const product = productOf(node);
  const name = `cd-offer-${product.sku}`;
  node.replaceChildren(el("p", { class: "cd-muted", text: t("loading") }));
  let offers;
  let homes;
  try {
    [offers, homes] = await Promise.all([fetchOffers(product), places()]);
  } catch (error) {
    node.replaceChildren(el("p", { class: "cd-error", text: t("error", { message: error.message }) }));
    return;
  }
  const picker = el("select", { "aria-label": t("where"), onchange: (e) => setJurisdiction(e.target.value) },
    homes.map(({ code, name }) => el("option", { value: code, selected: code === jurisdiction(), text: name })));
  const fieldset = el("fieldset", { class: "cd-offers" },
    el("legend", {}, el("strong", { text: t("protect") })),
    el("label", { class: "cd-muted" }, t("where"), " ", picker));
  if (!offers.length) fieldset.append(el("p", { class: "cd-muted", text: t("nothing") }));
  report("impression", offers, product);
  const radios = [{ offer: null, label: el("span", { text: t("none") }) },
    ...offers.map((offer) => ({ offer, label: offerLabel(offer) }))];
  for (const { offer, label } of offers.length ? radios : []) {
    const input = el("input", { type: "radio", name, value: offer ? offer.plan_code : "",
      checked: (selected(product.sku)?.plan_code || "") === (offer ? offer.plan_code : ""),
      onchange: () => (offer ? chosen.set(product.sku, offer) : chosen.delete(product.sku)) });
    fieldset.append(el("div", { class: "cd-offer" }, el("label", {}, input, " ", label),
      offer ? termsLink(offer) : null));
  }
  node.replaceChildren(fieldset);
}

export function offerModal(product) {
  return new Promise(async (resolve) => {
    const offers = await fetchOffers(product).catch(() => []);
    if (!offers.length) return resolve(null);
    report("impression", offers, product);
    const dialog = el("dialog", { class: "cd-modal", "aria-labelledby": "cd-modal-title" });
    const close = (offer) => {
      dialog.close(); dialog.remove();
      if (!offer) report("decline", offers, product);
      resolve(offer);
    };
    dialog.append(
      el("h2", { id: "cd-modal-title", text: t("modalTitle", { title: product.title }) }),
      ...offers.map((offer) => el("div", { class: "cd-offer" }, offerLabel(offer), " ",
        termsLink(offer), " ",
        el("button", { class: "cd-btn", type: "button", onclick: () => close(offer),
          text: t("add") }))),
      el("button", { class: "cd-btn secondary", type: "button", onclick: () => close(null),
        text: t("skip") }));
    dialog.addEventListener("cancel", () => close(null));
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Stripe.js, loaded once: a cart mounted again while it loads waits for the same script
// (two script tags would declare Stripe.js's globals twice).
let stripeLoading;
function loadStripe(url) {
  if (window.Stripe) return Promise.resolve();
  stripeLoading ??= new Promise((resolve, reject) => {
    document.head.append(el("script", { src: url, onload: resolve, onerror: reject }));
  }).catch((error) => {
    stripeLoading = undefined; // the next cart tries again
    throw error;
  });
  return stripeLoading;
}

async function paymentMethod(stripe, card) {
  // Stripe.js creates the payment method from the card; card data never reaches Coverdesk.
  const created = await stripe.createPaymentMethod?.({ type: "card", card });
  if (created?.paymentMethod) return created.paymentMethod.id;
  if (created?.error) throw created.error;
  const { token, error } = await stripe.createToken(card); // the local emulator's Stripe.js
  if (error) throw error;
  return token.card.id;
}

// options.lead: {token, customer, jurisdiction} from fetchLead. The e-mail is the one the
// offer was sent to, and the purchase uses up the lead's uncovered units.
export async function mountCart(node, lines, { lead } = {}) {
  const protectedLines = lines.filter((line) => line.offer);
  if (!protectedLines.length) {
    node.replaceChildren(el("p", { class: "cd-muted", text: t("empty") }));
    return;
  }
  const cfg = await config();
  const cartKey = lead ? `coverdesk:cart:${lead.token.slice(-16)}` : "coverdesk:cart";
  const cartId = sessionStorage.getItem(cartKey) || crypto.randomUUID().replaceAll("-", "");
  sessionStorage.setItem(cartKey, cartId);
  const customer = lead?.customer || {};
  const total = protectedLines.reduce((sum, l) => sum + l.offer.price * l.quantity, 0);
  const currency = protectedLines[0].offer.currency;
  const taxes = new Map();  // name -> amount included in the total
  for (const l of protectedLines) {
    for (const tax of l.offer.taxes || []) {
      taxes.set(tax.name, (taxes.get(tax.name) || 0) + tax.amount * l.quantity);
    }
  }
  const status = el("p", { role: "status", "aria-live": "polite" });
  const cardHost = el("div", { class: "cd-card-input", id: "cd-card" });
  const field = (id, label, attrs = {}) => el("div", { class: "cd-field" },
    el("label", { for: id, text: label }), el("input", { id, name: id, required: true, ...attrs }));
  const accept = el("input", { type: "checkbox", id: "cd-accept", required: true });
  const news = el("input", { type: "checkbox", id: "cd-news" });
  const pay = el("button", { class: "cd-btn", type: "submit", text: t("pay", { amount: money(total, currency) }) });
  const form = el("form", { class: "cd-checkout", novalidate: true },
    el("h2", { text: t("cart") }),
    el("ul", {}, protectedLines.map((l) => el("li", {},
      el("span", { text: `${l.offer.name} — ${l.product.title} × ${l.quantity}: ` }),
      el("strong", { text: money(l.offer.price * l.quantity, currency) }), " ", termsLink(l.offer)))),
    taxes.size ? el("p", { class: "cd-muted cd-tax", text: taxNote(
      [...taxes].map(([name, amount]) => ({ name, amount })), currency) }) : null,
    field("cd-email", t("email"), { type: "email", autocomplete: "email",
      value: customer.email, readonly: Boolean(lead) }),
    field("cd-first", t("first"), { autocomplete: "given-name", value: customer.first_name }),
    field("cd-last", t("last"), { autocomplete: "family-name", required: false,
      value: customer.last_name }),
    el("div", { class: "cd-field" }, el("span", { text: t("card") }), cardHost),
    el("p", {}, el("label", {}, accept, " ", el("span", { text: cfg.terms_text }))),
    el("p", {}, el("label", {}, news, " ", el("span", { text: t("news") }))),
    pay, status);
  node.replaceChildren(form);

  await loadStripe(cfg.stripe_js_url);
  const stripe = window.Stripe(cfg.stripe_publishable_key);
  const card = stripe.elements().create("card");
  card.mount(cardHost);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    pay.disabled = true;
    status.className = "";
    status.textContent = t("paying");
    try {
      await call("widget/checkout/", { method: "POST", body: {
        cart_id: cartId, jurisdiction: lead ? lead.jurisdiction : jurisdiction(),
        accepted_terms: accept.checked, marketing_email_consent: news.checked,
        ...(lead ? { lead_token: lead.token } : {}),
        customer: { email: form["cd-email"].value, first_name: form["cd-first"].value,
          last_name: form["cd-last"].value, locale: language() },
        lines: protectedLines.map((l) => ({ offer_token: l.offer.offer_token,
          terms_sha256: l.offer.terms_sha256, quantity: l.quantity,
          product_title: l.product.title })),
      } });
      let result = await call("widget/pay/", { method: "POST", body: {
        cart_id: cartId, payment_method: await paymentMethod(stripe, card) } });
      if (result.status === "requires_action") {
        const { error } = await stripe.confirmCardPayment(result.client_secret);
        if (error) throw error;
      }
      sessionStorage.removeItem(cartKey);
      status.className = "cd-ok";
      status.replaceChildren(el("strong", { text: t("paid") }), " ",
        el("a", { href: cfg.portal_url, text: t("portal") }));
      document.dispatchEvent(new CustomEvent("coverdesk:paid", { detail: { cartId } }));
    } catch (error) {
      pay.disabled = false;
      status.className = "cd-error";
      status.textContent = error.code === "card_declined"
        ? t("declined", { message: error.message }) : t("error", { message: error.message });
    }
  });
}

function injectStyles() {
  const sheet = (name) => {
    const href = new URL(name, import.meta.url).href;
    if (!document.querySelector(`link[href="${href}"]`)) {
      document.head.append(el("link", { rel: "stylesheet", href }));
    }
  };
  if (!document.querySelector('link[href$="shared/base.css"]')) sheet("../shared/base.css");
  sheet("./coverdesk.css");
}

function renderAll() {
  document.querySelectorAll("[data-coverdesk-offers]").forEach(renderOffers);
}

injectStyles();
renderAll();
document.addEventListener("coverdesk:jurisdiction", renderAll);
window.Coverdesk = { offerModal, mountCart, selected, fetchOffers, fetchLead, jurisdiction };
