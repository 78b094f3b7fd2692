// Keyboard navigation of lists: j/k and the arrows select rows (aria-selected, focus), Enter on a
// selected row opens it, keys typed into a field are left alone, and the list holding the focus is
// the one that moves.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { activeList, handleListKey, move, typingIn } from "./listnav";
import { h } from "./dom";

function list(id: string, opened: (n: number) => void): HTMLElement {
  const row = (n: number) => {
    const open = h("button", { type: "button" }, `#${n}`);
    open.addEventListener("click", () => opened(n));
    return h("tr", { "data-case-id": n }, h("td", {}, open));
  };
  return h("table", { id, "data-listnav": "tr[data-case-id]" }, h("tbody", {}, row(1), row(2), row(3)));
}

const key = (target: EventTarget, k: string, extra: KeyboardEventInit = {}) => {
  const event = new KeyboardEvent("keydown", { key: k, bubbles: true, ...extra });
  Object.defineProperty(event, "target", { value: target });
  return handleListKey(event, document);
};

const selected = (root: ParentNode) => Array.from(root.querySelectorAll("[aria-selected=true]")).map((r) => r.getAttribute("data-case-id"));

describe("list navigation", () => {
  const opened = vi.fn();
  let cases: HTMLElement;
  beforeEach(() => {
    opened.mockReset();
    cases = list("cases", opened);
    document.body.replaceChildren(h("input", { id: "search", type: "search" }), cases);
    (document.activeElement as HTMLElement | null)?.blur();
  });

  it("selects the first row on j, moves down and up, and stops at the ends", () => {
    expect(key(document.body, "j")).toBe(true);
    expect(selected(cases)).toEqual(["1"]);
    expect(document.activeElement?.getAttribute("data-case-id")).toBe("1");
    key(document.activeElement!, "ArrowDown");
    key(document.activeElement!, "j");
    key(document.activeElement!, "j");
    expect(selected(cases)).toEqual(["3"]);
    key(document.activeElement!, "k");
    key(document.activeElement!, "ArrowUp");
    key(document.activeElement!, "ArrowUp");
    expect(selected(cases)).toEqual(["1"]);
    expect(cases.querySelectorAll("[aria-selected=false]")).toHaveLength(2);
  });

  it("opens the selected row on Enter by pressing its first button", () => {
    key(document.body, "j");
    key(document.activeElement!, "j");
    expect(key(document.activeElement!, "Enter")).toBe(true);
    expect(opened).toHaveBeenCalledWith(2);
  });

  it("leaves Enter on a button inside a row to the button, and keys typed into a field alone", () => {
    const button = cases.querySelector("button")!;
    expect(key(button, "Enter")).toBe(false);
    const search = document.getElementById("search")!;
    expect(key(search, "j")).toBe(false);
    expect(selected(cases)).toEqual([]);
    expect(typingIn(search)).toBe(true);
    expect(typingIn(h("input", { type: "checkbox" }))).toBe(false);
    expect(key(document.body, "j", { ctrlKey: true })).toBe(false);
  });

  it("moves the list that holds the focus when there are two", () => {
    const second = list("second", opened);
    document.body.append(second);
    expect(activeList()).toBe(cases);
    second.querySelector("button")!.focus();
    expect(activeList()).toBe(second);
    move(second, 1);
    expect(selected(second)).toEqual(["2"]);
    expect(selected(cases)).toEqual([]);
  });

  it("does nothing where no list is", () => {
    document.body.replaceChildren(h("p", {}, "no list"));
    expect(key(document.body, "j")).toBe(false);
    expect(key(document.body, "ArrowDown")).toBe(false);
  });
});
