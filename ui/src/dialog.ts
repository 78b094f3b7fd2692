// A modal dialog that keyboard users can live with (issue 19): it takes the focus when it opens,
// keeps Tab and Shift+Tab inside it, closes on Escape or its close button, and gives the focus
// back to where it was. The rest of the window is inert while it is open.
import { h } from "./dom";

export interface Dialog {
  element: HTMLElement;
  close(): void;
}

export interface DialogOptions {
  id: string;
  title: string;
  closeLabel: string;
  body: (Node | string)[];
  onClose?: () => void;
}

const FOCUSABLE = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/** The elements Tab moves through inside `element`. */
export function focusables(element: HTMLElement): HTMLElement[] {
  return Array.from(element.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((e) => !e.closest("[hidden]"));
}

/** Opens a modal dialog over `host` (the app's root), the other children of `host` made inert. */
export function openDialog(host: HTMLElement, options: DialogOptions): Dialog {
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const close = h("button", { type: "button", class: "secondary", id: `${options.id}-close` }, options.closeLabel);
  const titleId = `${options.id}-title`;
  const box = h(
    "div",
    { id: options.id, class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": titleId },
    h("div", { class: "dialog-head" }, h("h2", { id: titleId }, options.title), close),
    ...options.body,
  );
  const backdrop = h("div", { class: "dialog-backdrop" }, box);
  const others = Array.from(host.children).filter((c): c is HTMLElement => c instanceof HTMLElement);
  for (const other of others) other.inert = true;
  host.append(backdrop);
  const dialog: Dialog = {
    element: box,
    close() {
      if (!backdrop.isConnected) return;
      backdrop.remove();
      for (const other of others) other.inert = false;
      before?.focus();
      options.onClose?.();
    },
  };
  close.addEventListener("click", () => dialog.close());
  backdrop.addEventListener("click", (event) => {
    if (event.target === backdrop) dialog.close();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      dialog.close();
    } else if (event.key === "Tab") {
      const inside = focusables(box);
      const first = inside[0];
      const last = inside[inside.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  close.focus();
  return dialog;
}
