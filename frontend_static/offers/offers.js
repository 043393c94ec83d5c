// The landing page of a post-purchase offer: the plans that can still be added to a
// purchase, bought through the widget's own checkout (which uses up the lead's units).
import { el, translator } from "../shared/i18n.js";
import { fetchLead, mountCart, offerLabel, report, termsLink } from "../widget/coverdesk.js";

const t = translator({
  en: { choose: "Choose a plan", units: "Units to cover", none: "No plan can be added any more.",
    error: "The plans could not be loaded: {message}", cart: "Checkout" },
  pl: { choose: "Wybierz plan", units: "Liczba sztuk do objęcia ochroną",
    none: "Nie można już dodać planu.", error: "Nie udało się wczytać planów: {message}",
    cart: "Płatność" },
  "zh-hans": { choose: "选择保障计划", units: "投保数量", none: "已无法再添加保障计划。",
    error: "无法加载保障计划：{message}", cart: "结账" },
});

const host = document.querySelector("[data-lead-offers]");
const cartHost = document.querySelector("[data-lead-cart]");
const token = host.dataset.token;

async function main() {
  let lead;
  try {
    lead = await fetchLead(token);
  } catch (error) {
    host.replaceChildren(el("p", { class: "cd-error", role: "alert",
      text: t("error", { message: error.message }) }));
    return;
  }
  const { product, offers, jurisdiction } = lead.offers;
  if (!offers.length) {
    host.replaceChildren(el("p", { class: "cd-muted", text: t("none") }));
    return;
  }
  report("impression", offers, product);
  const quantity = el("select", { id: "lead-units", name: "units" },
    Array.from({ length: lead.quantity_left }, (_, i) =>
      el("option", { value: i + 1, text: String(i + 1), selected: i + 1 === lead.quantity_left })));
  let chosen = offers[0];
  const update = () => {
    cartHost.hidden = false;
    mountCart(cartHost, [{ product, offer: chosen, quantity: Number(quantity.value) }],
      { lead: { token, customer: lead.customer, jurisdiction } });
  };
  quantity.addEventListener("change", update);
  const fieldset = el("fieldset", { class: "cd-offers" }, el("legend", {},
    el("strong", { text: t("choose") })),
  ...offers.map((offer, index) => el("div", { class: "cd-offer" },
    el("label", {}, el("input", { type: "radio", name: "lead-plan", value: offer.plan_code,
      checked: index === 0, onchange: () => { chosen = offer; update(); } }), " ",
    offerLabel(offer)), termsLink(offer))));
  host.replaceChildren(fieldset, lead.quantity_left > 1
    ? el("p", {}, el("label", { for: "lead-units", text: `${t("units")} ` }), quantity) : "");
  update();
}

main();
