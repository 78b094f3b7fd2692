// Building DOM without HTML strings: text only through textContent, nothing from the Rust side is
// ever parsed as markup.

import { hasKey, t } from "./i18n";
import { coreSpeaksTheLanguage, errorText, type ErrorWords } from "./words";

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null>;

/** `h("button", { id: "x", type: "button" }, "Approve")`. Boolean true sets an empty attribute. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with attributes (presentation attributes only: the CSP allows no inline style). */
export function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag) as SVGElement;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/**
 * A message box for a command's error, worded by its stable code in the user's language, with the
 * particulars the error names (its detail and values) filled in (the code itself is on
 * `data-code`, never shown). The core's own English sentence follows it in English; in another
 * language, or when the sentence was worded with the error's particulars, it is one click away,
 * under "Details".
 */
export function errorBox(error: ErrorWords & { message: string }, id = "error"): HTMLElement {
  const headline = h("strong", { class: "error-text" }, errorText(error));
  // A sentence worded with the error's own particulars says all the English one says.
  const worded = error.detail != null && hasKey(`error.${error.code}.${error.detail}`);
  const detail = coreSpeaksTheLanguage() && !worded
    ? h("span", { class: "error-detail" }, ` ${error.message}`)
    : h("details", { class: "error-detail" }, h("summary", {}, t("error.details")), h("span", { lang: "en" }, error.message));
  return h("div", { id, class: "error", role: "alert", "data-code": error.code }, headline, detail);
}

/** A short notice (success). */
export function notice(text: string, id = "notice"): HTMLElement {
  return h("p", { id, class: "notice", role: "status" }, text);
}
