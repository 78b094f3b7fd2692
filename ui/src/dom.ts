// Building DOM without HTML strings: text only through textContent, nothing from the Rust side is
// ever parsed as markup.

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

/** A message box for a command's error: its sentence and its stable code. */
export function errorBox(error: { code: string; message: string }, id = "error"): HTMLElement {
  return h("p", { id, class: "error", role: "alert", "data-code": error.code }, error.message, h("span", { class: "code" }, ` (${error.code})`));
}

/** A short notice (success). */
export function notice(text: string, id = "notice"): HTMLElement {
  return h("p", { id, class: "notice", role: "status" }, text);
}
