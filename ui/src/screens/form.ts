// Labelled form fields: every input has a visible label (keyboard and screen-reader use).
import { h } from "../dom";

export function field(id: string, label: string, type = "text", autocomplete = "off", required = true): HTMLElement {
  return labelled(id, label, h("input", { id, name: id, type, autocomplete, required, spellcheck: "false" }));
}

/** Any control (`id` its id: an input, a select, a textarea) under its visible label. */
export function labelled(id: string, label: string, control: HTMLElement): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

/**
 * A button (`ids.button`) that opens a file chooser, and beside it the path chosen (`ids.chosen`;
 * `none` until one is). `chosen` hears each path picked; a chooser that fails goes to `failed`.
 */
export function fileChoice(
  ids: { button: string; chosen: string },
  words: { button: string; none: string },
  pick: () => Promise<string | null>,
  chosen: (path: string) => void,
  failed: (reason: unknown) => void,
): HTMLElement {
  const shown = h("span", { id: ids.chosen, class: "hint" }, words.none);
  const button = h("button", { id: ids.button, type: "button", class: "secondary" }, words.button);
  button.addEventListener("click", async () => {
    try {
      const path = await pick();
      if (path === null) return;
      shown.textContent = path;
      chosen(path);
    } catch (reason) {
      failed(reason);
    }
  });
  return h("div", { class: "row" }, button, shown);
}

export function value(root: ParentNode, id: string): string {
  return root.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(`#${id}`)?.value ?? "";
}
