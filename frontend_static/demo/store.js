// The demo store's own code: a cart that asks the widget for protection on add-to-cart.
import { el, money } from "../shared/i18n.js";

const cart = [];

function productOf(card) {
  const d = card.dataset;
  return { sku: d.sku, title: d.title, category: d.category, price: Number(d.price),
    currency: d.currency, manufacturer_warranty_months: Number(d.warrantyMonths) };
}

function renderCart() {
  const list = document.querySelector("[data-cart-lines]");
  list.replaceChildren(...cart.map((line) => el("li", {},
    el("span", { text: `${line.product.title} — ${money(line.product.price, line.product.currency)}` }),
    line.offer ? el("div", { class: "cd-muted", text: `+ ${line.offer.name} (${line.offer.price_display})` }) : null)));
  window.Coverdesk.mountCart(document.querySelector("[data-coverdesk-cart]"), cart);
}

async function whenWidgetReady() {
  while (!window.Coverdesk) await new Promise((r) => setTimeout(r, 20));
}

document.querySelectorAll("[data-product]").forEach((card) => {
  const product = productOf(card);
  card.querySelector("[data-price-display]").textContent = money(product.price, product.currency);
  card.querySelector("[data-add]").addEventListener("click", async () => {
    await whenWidgetReady();
    let offer = window.Coverdesk.selected(product.sku);
    if (!offer) offer = await window.Coverdesk.offerModal(product);
    cart.push({ product, offer, quantity: 1 });
    renderCart();
  });
});

document.addEventListener("coverdesk:paid", () => { cart.length = 0; });
