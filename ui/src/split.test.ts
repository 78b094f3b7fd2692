// The split view: the detail opens beside the list, the list keeps its scroll and selection, and
// the back control returns to the list with the focus on what opened the detail.
import { describe, expect, it, vi } from "vitest";
import { rowKey, splitView } from "./split";
import { h } from "./dom";

const options = { id: "split-cases", listLabel: "List", detailLabel: "Details", backLabel: "Back to the list" };

describe("the split view", () => {
  it("starts with the list alone, and shows the detail beside it when opened", () => {
    const view = splitView(options);
    document.body.replaceChildren(view.element);
    const pane = view.element.querySelector<HTMLElement>(".split-detail")!;
    expect(view.element.id).toBe("split-cases");
    expect(view.isOpen()).toBe(false);
    expect(pane.hidden).toBe(true);
    view.showDetail();
    expect(view.isOpen()).toBe(true);
    expect(view.element.dataset.detail).toBe("open");
    expect(pane.hidden).toBe(false);
    expect(view.list.isConnected && view.detail.isConnected).toBe(true);
    expect(pane.getAttribute("aria-label")).toBe("Details");
  });

  it("goes back to the list: scroll restored, the opener focused, the detail emptied", () => {
    const view = splitView(options);
    document.body.replaceChildren(view.element);
    const opener = h("button", { type: "button" }, "#7");
    view.list.append(h("div", {}, opener));
    view.list.scrollTop = 120;
    opener.focus();
    view.showDetail();
    view.detail.append(h("h2", { tabindex: -1 }, "Case #7"));
    view.detail.querySelector<HTMLElement>("h2")!.focus();
    view.list.scrollTop = 0; // hidden on a narrow window, the list may lose its scroll
    view.element.querySelector<HTMLButtonElement>("#split-back")!.click();
    expect(view.isOpen()).toBe(false);
    expect(view.detail.childElementCount).toBe(0);
    expect(view.list.scrollTop).toBe(120);
    expect(document.activeElement).toBe(opener);
  });

  it("lets the shell decide what the back control does", () => {
    const onBack = vi.fn();
    const view = splitView({ ...options, onBack });
    view.showDetail();
    view.element.querySelector<HTMLButtonElement>("#split-back")!.click();
    expect(onBack).toHaveBeenCalledOnce();
    expect(view.isOpen()).toBe(true);
  });

  it("draws the list afresh on the way back and selects the same row again", async () => {
    const view = splitView(options);
    document.body.replaceChildren(view.element);
    const draw = (status: string) =>
      view.list.replaceChildren(
        h(
          "table",
          { "data-listnav": "tr[data-case-id]" },
          h("tbody", {}, ...[1, 2, 3].map((n) => h("tr", { "data-case-id": n, "data-status": status }, h("td", {}, h("button", { type: "button" }, `#${n}`))))),
        ),
      );
    draw("hold");
    view.list.querySelector<HTMLElement>('tr[data-case-id="2"] button')!.focus();
    view.showDetail();
    await view.refreshList(async () => draw("approved"));
    expect(view.isOpen()).toBe(false);
    const row = view.list.querySelector<HTMLElement>('tr[data-case-id="2"]')!;
    expect(row.dataset.status).toBe("approved"); // drawn afresh
    expect(document.activeElement).toBe(row);
    expect(row.getAttribute("aria-selected")).toBe("true");
  });

  it("finds a row again by its id attributes only", () => {
    const button = h("button", { type: "button" }, "#7");
    h("table", { "data-listnav": "tr[data-case-id]" }, h("tbody", {}, h("tr", { "data-case-id": 7, "data-status": "hold" }, h("td", {}, button))));
    expect(rowKey(button)).toBe('tr[data-case-id="7"]');
    expect(rowKey(h("p", {}))).toBeNull();
  });

  it("keeps the first opener while one detail follows another", () => {
    const view = splitView(options);
    document.body.replaceChildren(view.element);
    const first = h("button", { type: "button" }, "#1");
    view.list.append(first);
    first.focus();
    view.showDetail();
    view.detail.append(h("button", { type: "button", id: "inside" }, "next"));
    view.detail.querySelector<HTMLElement>("#inside")!.focus();
    view.showDetail(); // the detail's own action opened another detail
    view.closeDetail();
    expect(document.activeElement).toBe(first);
  });
});
