// Labelled form fields: every input has a visible label (keyboard and screen-reader use).
import { h } from "../dom";

export function field(id: string, label: string, type = "text", autocomplete = "off", required = true): HTMLElement {
  return labelled(id, label, h("input", { id, name: id, type, autocomplete, required, spellcheck: "false" }));
}

/** Any control (`id` its id: an input, a select, a textarea) under its visible label. */
export function labelled(id: string, label: string, control: HTMLElement): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export function value(root: ParentNode, id: string): string {
  return root.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(`#${id}`)?.value ?? "";
}
