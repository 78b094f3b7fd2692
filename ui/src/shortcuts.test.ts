// The app's shortcuts: `?` opens the overlay (a dialog that traps the focus, closes on Escape and
// gives the focus back), `/` focuses the screen's search field, g then a letter and Alt+digit go to
// the navigation's entries, Escape closes the detail beside a list, and the lists' keys work.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installShortcuts, shortcutList } from "./shortcuts";
import { splitView } from "./split";
import { h } from "./dom";
import { hasKey } from "./i18n";

const press = (k: string, extra: KeyboardEventInit = {}, target: EventTarget = document.activeElement ?? document.body) =>
  target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true, ...extra }));

describe("the shortcuts", () => {
  let root: HTMLElement;
  let area: HTMLElement;
  let stop: () => void;
  const went = vi.fn();
  beforeEach(() => {
    went.mockReset();
    const entry = (id: string, key: string) => {
      const b = h("button", { id, type: "button", "data-shortcut": key, "data-label": id }, id);
      b.addEventListener("click", () => went(id));
      return h("li", {}, b);
    };
    area = h("div", { id: "content" }, h("input", { id: "search", type: "search" }));
    root = h("main", {}, h("nav", {}, h("ul", {}, entry("nav-queue", "w"), entry("nav-inbox", "i"))), area);
    document.body.replaceChildren(root);
    stop = installShortcuts(root, () => area);
  });
  afterEach(() => stop());

  it("names every shortcut in the catalogue", () => {
    for (const [, what] of shortcutList()) expect(hasKey(what), what).toBe(true);
  });

  it("goes to a navigation entry with g then its letter, or with Alt and its position", () => {
    press("g");
    press("i");
    expect(went).toHaveBeenLastCalledWith("nav-inbox");
    press("1", { altKey: true });
    expect(went).toHaveBeenLastCalledWith("nav-queue");
    press("i"); // no g before it
    expect(went).toHaveBeenCalledTimes(2);
  });

  it("focuses the search field with /, and leaves letters typed there alone", () => {
    expect(press("/")).toBe(false); // handled: the default (typing a slash) prevented
    expect(document.activeElement?.id).toBe("search");
    press("g");
    press("i");
    expect(went).not.toHaveBeenCalled();
  });

  it("opens the overlay with ?, traps Tab in it, and closes on Escape giving the focus back", () => {
    const before = h("button", { type: "button", id: "before" }, "x");
    area.append(before);
    before.focus();
    press("?");
    const dialog = root.querySelector<HTMLElement>("#shortcuts")!;
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(document.activeElement?.id).toBe("shortcuts-close");
    expect(dialog.querySelector("#shortcuts-nav")?.textContent).toContain("g i");
    expect(area.inert).toBe(true);
    // The close button is the only control: Tab and Shift+Tab stay on it.
    expect(press("Tab")).toBe(false);
    expect(document.activeElement?.id).toBe("shortcuts-close");
    expect(press("Tab", { shiftKey: true })).toBe(false);
    expect(document.activeElement?.id).toBe("shortcuts-close");
    press("g");
    press("i");
    expect(went).not.toHaveBeenCalled(); // the rest of the window waits
    press("Escape");
    expect(root.querySelector("#shortcuts")).toBeNull();
    expect(area.inert).toBe(false);
    expect(document.activeElement).toBe(before);
  });

  it("closes the detail beside a list with Escape, and moves through the list with j", () => {
    const view = splitView({ id: "split-cases", listLabel: "List", detailLabel: "Details", backLabel: "Back" });
    const row = h("tr", { "data-case-id": 4 }, h("td", {}, h("button", { type: "button" }, "#4")));
    view.list.append(h("table", { "data-listnav": "tr[data-case-id]" }, h("tbody", {}, row)));
    area.replaceChildren(view.element);
    press("j", {}, document.body);
    expect(row.getAttribute("aria-selected")).toBe("true");
    view.showDetail();
    press("Escape", {}, document.body);
    expect(view.isOpen()).toBe(false);
    expect(document.activeElement).toBe(row);
  });

  it("stops listening when told", () => {
    stop();
    press("g", {}, document.body);
    press("i", {}, document.body);
    expect(went).not.toHaveBeenCalled();
  });
});
