// The app's keyboard shortcuts (issue 19), one listener for the whole window: `?` shows them all
// (an overlay), `/` focuses the screen's search field, g then a letter (or Alt+digit) goes to a
// navigation entry (the letter is the entry's `data-shortcut`, shown beside it), Escape closes
// the detail beside a list, and the lists' own keys (j/k, arrows, Enter: listnav.ts). Only the
// entries the navigation shows can be reached, so the keys follow the user's permissions too.
import { h } from "./dom";
import { openDialog, type Dialog } from "./dialog";
import { handleListKey, typingIn } from "./listnav";
import { t } from "./i18n";

/** How long after g the letter may follow. */
export const SEQUENCE_MS = 1500;

/** The shortcuts the overlay lists: keys, then what they do (catalogue keys). */
export function shortcutList(): [string, string][] {
  return [
    ["j / ↓", "keys.next"],
    ["k / ↑", "keys.previous"],
    ["Enter", "keys.open"],
    ["/", "keys.search"],
    ["g …", "keys.goto"],
    ["Alt+1 … 9", "keys.altDigit"],
    ["Esc", "keys.escape"],
    ["?", "keys.help"],
  ];
}

/** The search field of the screen on show: one marked `data-search`, else the first search input. */
export function searchField(scope: ParentNode): HTMLElement | null {
  const fields = Array.from(scope.querySelectorAll<HTMLElement>("[data-search], input[type=search]"));
  return fields.find((f) => !f.closest("[hidden]") && !(f as HTMLInputElement).disabled) ?? null;
}

/** Opens the overlay listing the shortcuts over `root`. */
export function showShortcuts(root: HTMLElement): Dialog {
  const list = h(
    "dl",
    { class: "shortcuts" },
    ...shortcutList().flatMap(([keys, what]) => [h("dt", {}, h("kbd", {}, keys)), h("dd", {}, t(what))]),
  );
  const entries = Array.from(root.querySelectorAll<HTMLElement>("nav [data-shortcut]"));
  const goto = h(
    "dl",
    { class: "shortcuts", id: "shortcuts-nav" },
    ...entries.flatMap((entry) => [h("dt", {}, h("kbd", {}, `g ${entry.dataset.shortcut}`)), h("dd", {}, entry.dataset.label ?? entry.textContent ?? "")]),
  );
  return openDialog(root, {
    id: "shortcuts",
    title: t("keys.title"),
    closeLabel: t("layout.close"),
    body: [list, h("h3", {}, t("keys.views")), goto],
  });
}

/**
 * Listens for the shortcuts on `root` (the app) until the returned function is called. `area` is
 * where the screen is drawn (lists and search fields are looked for there).
 */
export function installShortcuts(root: HTMLElement, area: () => HTMLElement): () => void {
  let gAt = 0;
  let overlay: Dialog | null = null;
  const entries = () => Array.from(root.querySelectorAll<HTMLElement>("nav [data-shortcut]"));
  const listener = (event: KeyboardEvent) => {
    if (event.defaultPrevented || !root.isConnected) return;
    if (overlay?.element.isConnected) return; // the dialog handles its own keys
    const handled = shortcut(event);
    if (handled) event.preventDefault();
  };
  const shortcut = (event: KeyboardEvent): boolean => {
    if (event.altKey && /^[1-9]$/.test(event.key)) {
      const entry = entries()[Number(event.key) - 1];
      entry?.click();
      return entry !== undefined;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    if (event.key === "Escape") {
      const back = area().querySelector<HTMLElement>(".split[data-detail=open] #split-back");
      if (!back || (typingIn(event.target) && (event.target as HTMLInputElement).value)) return false;
      back.click();
      return true;
    }
    if (typingIn(event.target)) return false;
    if (gAt && Date.now() - gAt < SEQUENCE_MS) {
      gAt = 0;
      const entry = entries().find((e) => e.dataset.shortcut === event.key);
      entry?.click();
      entry?.focus();
      return entry !== undefined;
    }
    if (event.key === "g") {
      gAt = Date.now();
      return true;
    }
    if (event.key === "?") {
      overlay = showShortcuts(root);
      return true;
    }
    if (event.key === "/") {
      const field = searchField(area());
      field?.focus();
      return field !== null;
    }
    return handleListKey(event, area());
  };
  document.addEventListener("keydown", listener);
  return () => document.removeEventListener("keydown", listener);
}
