// A tiny translator: t(key, vars) in the page's language (en, pl, zh-hans), English fallback.
export function language() {
  const wanted = (document.documentElement.lang || navigator.language || "en").toLowerCase();
  if (wanted.startsWith("pl")) return "pl";
  if (wanted.startsWith("zh")) return "zh-hans";
  return "en";
}

export function translator(messages) {
  const lang = language();
  return (key, vars = {}) => {
    const text = (messages[lang] && messages[lang][key]) || messages.en[key] || key;
    if (typeof text !== "string") return text;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
  };
}

// A page's own text in its language: data-i18n="key" sets an element's text, and
// data-i18n-title, data-i18n-placeholder and data-i18n-aria-label set those attributes.
export function translatePage(t) {
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  for (const [attribute, key] of [["title", "i18nTitle"], ["placeholder", "i18nPlaceholder"], ["aria-label", "i18nAriaLabel"]]) {
    document.querySelectorAll(`[data-i18n-${attribute}]`).forEach((node) => node.setAttribute(attribute, t(node.dataset[key])));
  }
}

// How many minor units make a major one: 2 for USD and PLN (cents, grosze), 0 for JPY.
export function minorDigits(currency) {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits;
}

// An amount typed in major units ("12.50") as integer minor units (1250), and back.
export const toMinor = (value, currency) => Math.round(Number(value) * 10 ** minorDigits(currency));
export const fromMinor = (amount, currency) => amount / 10 ** minorDigits(currency);

export function money(amount, currency) {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(language() === "zh-hans" ? "zh-CN" : language(), {
    style: "currency", currency,
  }).format(amount / 10 ** digits);
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    // Through the CSSOM: a style *attribute* is inline style, which the CSP refuses.
    else if (name === "style") node.style.cssText = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child != null) node.append(child instanceof Node ? child : document.createTextNode(child));
  }
  return node;
}
