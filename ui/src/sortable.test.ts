// Sorting tables by any column: aria-sort on the header, numbers as numbers, dates by their
// datetime, a second press reversing, columns left out, and sorting done elsewhere (onSort).
import { describe, expect, it, vi } from "vitest";
import { compareValues, sortValue, sortable } from "./sortable";
import { h } from "./dom";

function table(): HTMLTableElement {
  const row = (id: number, name: string, at: string) =>
    h("tr", { "data-id": id }, h("td", {}, String(id)), h("td", {}, name), h("td", {}, h("time", { datetime: at }, `shown ${id}`)), h("td", {}, h("button", {}, "Act")));
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, h("th", {}, "Id"), h("th", {}, "Name"), h("th", {}, "When"), h("th", {}, "Actions"))),
    h("tbody", {}, row(10, "globex", "2026-01-03T00:00:00Z"), row(9, "Acme", "2026-01-01T00:00:00Z"), row(100, "Initech", "2026-01-02T00:00:00Z")),
  );
}

const ids = (t: HTMLTableElement) => Array.from(t.querySelectorAll("tbody tr")).map((r) => r.getAttribute("data-id"));
const sortState = (t: HTMLTableElement) => Array.from(t.querySelectorAll("th")).map((th) => th.getAttribute("aria-sort"));

describe("sortable tables", () => {
  it("turns each header into a button and says the order with aria-sort", () => {
    const t = table();
    sortable(t, { skip: [3] });
    expect(t.querySelectorAll("th button.sort")).toHaveLength(3);
    expect(sortState(t)).toEqual(["none", "none", "none", null]);
    expect(t.querySelector("th")!.textContent).toBe("Id");
  });

  it("sorts numbers as numbers, text by the language's collation, and reverses on a second press", () => {
    const t = table();
    sortable(t);
    const header = (i: number) => t.querySelectorAll<HTMLButtonElement>("th button.sort")[i];
    header(0).click();
    expect(ids(t)).toEqual(["9", "10", "100"]);
    expect(sortState(t)[0]).toBe("ascending");
    header(0).click();
    expect(ids(t)).toEqual(["100", "10", "9"]);
    expect(sortState(t)[0]).toBe("descending");
    header(1).click();
    expect(ids(t)).toEqual(["9", "10", "100"]); // Acme, globex, Initech: case ignored
    expect(sortState(t)).toEqual(["none", "ascending", "none", "none"]);
    header(2).click();
    expect(ids(t)).toEqual(["9", "100", "10"]); // by the datetime, not the text shown
  });

  it("sorts redrawn rows again as last chosen", () => {
    const t = table();
    const control = sortable(t);
    control.sort(1, "descending");
    const body = t.querySelector("tbody")!;
    body.prepend(h("tr", { "data-id": 1 }, h("td", {}, "1"), h("td", {}, "Zeta"), h("td", {}), h("td", {})));
    body.append(h("tr", { "data-id": 2 }, h("td", {}, "2"), h("td", {}, "Aa"), h("td", {}), h("td", {})));
    control.apply();
    expect(ids(t)).toEqual(["1", "100", "10", "9", "2"]);
  });

  it("leaves the rows alone and asks onSort when the list is sorted elsewhere", () => {
    const t = table();
    const onSort = vi.fn();
    sortable(t, { onSort, initial: { column: 0, direction: "descending" } });
    expect(sortState(t)[0]).toBe("descending");
    t.querySelectorAll<HTMLButtonElement>("th button.sort")[0].click();
    expect(onSort).toHaveBeenCalledWith(0, "ascending");
    expect(ids(t)).toEqual(["10", "9", "100"]);
  });

  it("reads a cell's data-sort first, then a time's datetime, then its text", () => {
    expect(sortValue(h("td", { "data-sort": "48200.00" }, "€48,200.00"))).toBe("48200.00");
    expect(sortValue(h("td", {}, h("time", { datetime: "2026-01-01" }, "1 Jan")))).toBe("2026-01-01");
    expect(sortValue(h("td", {}, "  text "))).toBe("text");
    expect(compareValues("9", "10")).toBeLessThan(0);
    expect(compareValues("case 9", "case 10")).toBeLessThan(0);
  });
});
