import { describe, expect, it } from "vitest";
import { loadMoreButton, pageOf } from "./loadmore";

/** A list of ids 1..total, paged by id as the Rust side does: at most `limit` after `after`. */
const serve = (total: number, asked: [number, number | null][] = []) => async (limit: number, after: number | null) => {
  asked.push([limit, after]);
  const from = (after ?? 0) + 1;
  return Array.from({ length: Math.max(0, Math.min(limit, total - from + 1)) }, (_, i) => from + i);
};

describe("load more", () => {
  it("asks one more than the page to know whether another follows", async () => {
    const asked: [number, number | null][] = [];
    expect(await pageOf(serve(5, asked), (n) => n, null, 2)).toEqual({ items: [1, 2], next: 2 });
    expect(await pageOf(serve(5), (n) => n, 4, 2)).toEqual({ items: [5], next: null });
    expect(await pageOf(serve(4), (n) => n, 2, 2), "exactly a page: none follows").toEqual({ items: [3, 4], next: null });
    expect(asked).toEqual([[3, null]]);
  });

  it("adds each next page with a click and goes when none follows; a failure is reported", async () => {
    const shown: number[] = [1, 2, 3];
    const first = await pageOf(serve(450), (n) => n, null);
    expect(first.items.length).toBe(200);
    const button = loadMoreButton("more", first.next, serve(450), (n) => n, (items) => shown.push(...items), () => undefined)!;
    const host = document.createElement("div");
    host.append(button);
    expect(button.textContent).toBe("Load more");
    button.click();
    await new Promise((r) => setTimeout(r, 0));
    expect([shown.length, shown.at(-1), host.contains(button)]).toEqual([203, 400, true]);
    button.click();
    await new Promise((r) => setTimeout(r, 0));
    expect([shown.at(-1), host.contains(button)]).toEqual([450, false]);
    expect(loadMoreButton("more", null, serve(1), (n) => n, () => undefined, () => undefined)).toBeNull();
    const errors: unknown[] = [];
    const failing = loadMoreButton("more", 1, async () => Promise.reject(new Error("refused")), (n: number) => n, () => undefined, (e) => errors.push(e))!;
    failing.click();
    await new Promise((r) => setTimeout(r, 0));
    expect([errors.length, failing.disabled]).toEqual([1, false]);
  });
});
