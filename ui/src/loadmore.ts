// Lists that grow but are read in full rarely (partners, pending changes, the audit log; issue
// 19): the first page, then a "Load more" button under the table that adds the next. The Rust side
// pages by id; for a command that answers a plain list, one item more than the page is asked for,
// so the button shows only when another page follows, and the page's last item is the next page's
// cursor; a command that answers its own cursor (the audit log's `next`) is followed as it says.
import { h } from "./dom";
import { t } from "./i18n";

/** Items shown per page of these lists. */
export const LIST_PAGE = 200;

/** A page: its items, and the cursor of the next one (none on the last). */
export interface ListPage<T> {
  items: T[];
  next: number | null;
}

/** One page of `limit` items after `after`, from a command that answers at most the limit it is given. */
export async function pageOf<T>(
  fetch: (limit: number, after: number | null) => Promise<T[]>,
  idOf: (item: T) => number,
  after: number | null = null,
  limit = LIST_PAGE,
): Promise<ListPage<T>> {
  const rows = await fetch(limit + 1, after);
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit && items.length > 0 ? idOf(items[items.length - 1]) : null };
}

/**
 * The "Load more" button (`id`) for a list whose first page ended at `next`: each click adds the
 * next page through `append`, and the button goes when no page follows. A failure is `failed`'s.
 */
export function loadMoreButton<T>(
  id: string,
  next: number | null,
  fetch: (limit: number, after: number | null) => Promise<T[]>,
  idOf: (item: T) => number,
  append: (items: T[]) => void,
  failed: (reason: unknown) => void,
): HTMLButtonElement | null {
  return moreButton(id, next, (after) => pageOf(fetch, idOf, after), append, failed);
}

/**
 * The "Load more" button (`id`) for a command that pages itself: `page(after)` reads the page
 * below `after` and the cursor of the one after it, and the button goes when none follows.
 */
export function moreButton<T>(
  id: string,
  next: number | null,
  page: (after: number) => Promise<ListPage<T>>,
  append: (items: T[]) => void,
  failed: (reason: unknown) => void,
): HTMLButtonElement | null {
  if (next === null) return null;
  let after: number = next;
  const button = h("button", { id, type: "button", class: "secondary load-more" }, t("list.more"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const read = await page(after);
      append(read.items);
      if (read.next === null) button.remove();
      else after = read.next;
    } catch (reason) {
      failed(reason);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
