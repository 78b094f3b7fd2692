// A virtual list of table rows (issue 19): of a long list only the rows in view (and a few
// around) are in the DOM, between two spacer rows whose heights stand for the rest, so the scroll
// bar is the whole list's; when the rows in view near the end of what is loaded, the next page is
// asked for. Rows have one fixed height (the CSS's `--row-height`), which keeps the arithmetic
// exact and a scroll cheap. Hand-written (about 150 lines) rather than a dependency: tables need
// spacer rows, which a generic virtualizer leaves to its caller anyway.
//
// Each row carries `data-row` (its index in the list), `aria-rowindex` and `aria-selected`. The
// list is the keyboard navigation's `RowSource` (listnav.ts): j/k move through every row loaded,
// drawn or not, and the selected row (kept by its key, not its place) stays selected and focused
// when the list draws again: as it scrolls, when a page arrives (the rows drawn stay in the DOM),
// when its rows are replaced or a search answers. A row that holds the focus is never removed
// while it is in view; one scrolled out of view hands the focus to the viewport.
import type { RowSource } from "./listnav";

/** Which rows to draw and the heights standing for those above and below them. */
export interface RowWindow {
  /** Index of the first row drawn. */
  first: number;
  /** One past the last row drawn. */
  end: number;
  /** Height of the rows above `first`, in pixels. */
  above: number;
  /** Height of the rows from `end` on, in pixels. */
  below: number;
}

/**
 * The rows in view when the list is scrolled `scrollTop` pixels in a viewport `height` pixels tall,
 * with `overscan` rows more on each side.
 */
export function rowWindow(scrollTop: number, height: number, rowHeight: number, count: number, overscan: number): RowWindow {
  const top = Math.max(0, scrollTop);
  const first = Math.min(count, Math.max(0, Math.floor(top / rowHeight) - overscan));
  const end = Math.min(count, Math.ceil((top + Math.max(0, height)) / rowHeight) + overscan);
  return { first, end: Math.max(first, end), above: first * rowHeight, below: (count - Math.max(first, end)) * rowHeight };
}

export interface VirtualListOptions<T> {
  /** The element that scrolls (its height is the viewport's). */
  viewport: HTMLElement;
  /** Where the rows go. */
  body: HTMLTableSectionElement;
  /** Every row's height in pixels, until a drawn row is measured. */
  rowHeight: number;
  /** Rows drawn beyond the viewport on each side. */
  overscan?: number;
  /** Asks for the next page when the rows drawn come within this many of the end of those loaded. */
  loadAhead?: number;
  /** What a row is known by across pages, searches and refreshes (the selection follows it). */
  key: (item: T) => string | number;
  /** One row. */
  renderRow: (item: T, index: number) => HTMLTableRowElement;
  /** Asked for when more rows are wanted and more exist; called again only after it settles. */
  loadMore: () => Promise<void>;
}

/** The list: set its rows, add a page of them, and it keeps the DOM to the rows in view. */
export class VirtualList<T> implements RowSource {
  private items: T[] = [];
  private more = false;
  private loading: Promise<void> | null = null;
  private drawn: RowWindow | null = null;
  /** The rows in the DOM, the first of them row `drawn.first`. */
  private rowsDrawn: HTMLTableRowElement[] = [];
  /** The rows loaded were replaced: every row is drawn afresh. */
  private stale = true;
  private selectedKey: string | number | null = null;
  /** Where the selected row was last seen (checked against its key before use). */
  private selectedAt = -1;
  private frame = 0;
  private readonly top: HTMLTableRowElement;
  private readonly bottom: HTMLTableRowElement;
  private readonly overscan: number;
  private readonly loadAhead: number;
  private rowHeight: number;

  constructor(private readonly options: VirtualListOptions<T>) {
    this.rowHeight = options.rowHeight;
    this.overscan = options.overscan ?? 8;
    this.loadAhead = options.loadAhead ?? 40;
    this.top = spacer();
    this.bottom = spacer();
    options.viewport.addEventListener("scroll", () => this.schedule(), { passive: true });
    // A row (or its button) that takes the focus, by click or by Tab, is the selected one.
    options.body.addEventListener("focusin", (event) => {
      const row = event.target instanceof Element ? event.target.closest<HTMLTableRowElement>("tr[data-row]") : null;
      if (row) this.choose(row);
    });
  }

  /** The rows loaded so far. */
  get rows(): readonly T[] {
    return this.items;
  }

  /** Whether more rows exist beyond those loaded. */
  get hasMore(): boolean {
    return this.more;
  }

  /** Replaces the rows (a new search or order) and scrolls back to the top; the selection stays with its row. */
  reset(items: T[], more: boolean): void {
    this.items = items;
    this.more = more;
    this.stale = true;
    this.options.viewport.scrollTop = 0;
    this.draw();
  }

  /** Adds the next page's rows; the rows drawn stay as they are. */
  append(items: T[], more: boolean): void {
    this.items = this.items.concat(items);
    this.more = more;
    this.draw();
  }

  /** Keeps the rows where they are (another desktop's change): replaces them without scrolling. */
  replace(items: T[], more: boolean): void {
    this.items = items;
    this.more = more;
    this.stale = true;
    this.draw();
  }

  /** Draws the rows in view now (after a scroll, one frame later). */
  draw(): void {
    cancelAnimationFrame(this.frame);
    const view = rowWindow(this.options.viewport.scrollTop, this.height(), this.rowHeight, this.items.length, this.overscan);
    if (this.stale || !sameWindow(view, this.drawn)) this.render(view);
    this.measure();
    if (this.more && !this.loading && view.end + this.loadAhead >= this.items.length) {
      // After a page arrives the window is looked at again: a tall viewport may want another.
      void this.loadPage().then((loaded) => {
        if (loaded) this.draw();
      });
    }
  }

  /** Waits for the page being loaded, if any (tests, and whoever must not ask twice). */
  async settled(): Promise<void> {
    while (this.loading) await this.loading;
  }

  count(): number {
    return this.items.length;
  }

  async seekSelected(): Promise<number> {
    await this.settled();
    while (this.selectedKey !== null && this.selectedIndex() < 0 && this.more) {
      const before = this.items.length;
      // A page that failed, or one dropped (the list was asked afresh meanwhile): stop rather than
      // ask again and again.
      if (!(await this.loadPage()) || this.items.length <= before) break;
    }
    return this.selectedIndex();
  }

  selectedIndex(): number {
    if (this.selectedKey === null) return -1;
    const at = this.selectedAt;
    if (at >= 0 && at < this.items.length && this.options.key(this.items[at]) === this.selectedKey) return at;
    this.selectedAt = this.items.findIndex((item) => this.options.key(item) === this.selectedKey);
    return this.selectedAt;
  }

  indexOf(row: HTMLElement): number {
    const at = this.rowsDrawn.indexOf(row as HTMLTableRowElement);
    return at < 0 || !this.drawn ? -1 : this.drawn.first + at;
  }

  firstInView(): number {
    return Math.max(0, Math.min(this.items.length - 1, Math.ceil(this.options.viewport.scrollTop / this.rowHeight)));
  }

  reveal(index: number): HTMLElement | null {
    if (index < 0 || index >= this.items.length) return null;
    const { viewport } = this.options;
    if (!this.drawnRow(index)) {
      viewport.scrollTop = index * this.rowHeight;
      this.draw();
    }
    const row = this.drawnRow(index);
    if (!row) return null;
    // Wholly in view, below the sticky header: scrolled by what the row's box says.
    const box = row.getBoundingClientRect();
    const port = viewport.getBoundingClientRect();
    const header = (this.options.body.parentElement as HTMLTableElement | null)?.tHead?.getBoundingClientRect().height ?? 0;
    const top = box.top - port.top - viewport.clientTop;
    const bottom = top + box.height;
    if (top < header) viewport.scrollTop += top - header;
    else if (bottom > viewport.clientHeight && viewport.clientHeight > 0) viewport.scrollTop += bottom - viewport.clientHeight;
    this.draw();
    return row.isConnected ? row : this.drawnRow(index);
  }

  choose(row: HTMLElement): void {
    const index = this.indexOf(row);
    if (index < 0) return;
    this.selectedKey = this.options.key(this.items[index]);
    this.selectedAt = index;
    for (const tr of this.rowsDrawn) {
      tr.setAttribute("aria-selected", String(tr === row));
      if (tr === row) tr.tabIndex = -1;
    }
  }

  /**
   * Asks for the next page; whether it arrived. A page that fails ends the loading (the caller
   * shows why) rather than asking again and again.
   */
  private loadPage(): Promise<boolean> {
    const page = this.options.loadMore().then(
      () => true,
      () => {
        this.more = false;
        return false;
      },
    );
    this.loading = page.then(() => {
      this.loading = null;
    });
    return page;
  }

  /** Puts the rows of `view` in the DOM, keeping those already there (and the focus in them). */
  private render(view: RowWindow): void {
    const { body, viewport } = this.options;
    const focused = document.activeElement;
    const hadFocus = focused instanceof Node && body.contains(focused);
    const old = this.drawn;
    const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => this.row(from + i));
    // Rows already drawn and still in view are kept (a row holding the focus keeps it).
    const overlap = old !== null && old.first < old.end && view.first < old.end && view.end > old.first;
    if (this.stale || !old || !overlap) {
      this.rowsDrawn = range(view.first, view.end);
      body.replaceChildren(...this.rowsDrawn);
    } else {
      const keep = this.rowsDrawn.filter((tr, i) => {
        const inView = old.first + i >= view.first && old.first + i < view.end;
        if (!inView) tr.remove();
        return inView;
      });
      const before = range(view.first, old.first);
      const after = range(old.end, view.end);
      keep[0].before(...before);
      keep[keep.length - 1].after(...after);
      this.rowsDrawn = [...before, ...keep, ...after];
    }
    this.top.style.height = `${view.above}px`;
    this.bottom.style.height = `${view.below}px`;
    if (view.above > 0) {
      if (body.firstElementChild !== this.top) body.prepend(this.top);
    } else this.top.remove();
    if (view.below > 0) {
      if (body.lastElementChild !== this.bottom) body.append(this.bottom);
    } else this.bottom.remove();
    this.drawn = view;
    this.stale = false;
    // The focused row went (drawn afresh, or scrolled away): the selected row takes it again, or
    // the viewport, so that the keys still act on this list.
    if (hadFocus && !body.contains(document.activeElement)) {
      (this.drawnRow(this.selectedIndex()) ?? viewport).focus({ preventScroll: true });
    }
  }

  private drawnRow(index: number): HTMLTableRowElement | null {
    if (!this.drawn || index < this.drawn.first || index >= this.drawn.end) return null;
    return this.rowsDrawn[index - this.drawn.first] ?? null;
  }

  private height(): number {
    return this.options.viewport.clientHeight || window.innerHeight || 600;
  }

  /** Rows are as tall as the CSS makes them (zoom changes it): the first one drawn is measured. */
  private measure(): void {
    const height = this.rowsDrawn[0]?.offsetHeight ?? 0;
    if (height > 0 && Math.abs(height - this.rowHeight) >= 1) {
      this.rowHeight = height;
      this.stale = true;
      this.schedule();
    }
  }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  private row(index: number): HTMLTableRowElement {
    const item = this.items[index];
    const tr = this.options.renderRow(item, index);
    tr.dataset.row = String(index);
    tr.setAttribute("aria-rowindex", String(index + 2));
    const chosen = this.selectedKey !== null && this.options.key(item) === this.selectedKey;
    tr.setAttribute("aria-selected", String(chosen));
    if (chosen) {
      tr.tabIndex = -1;
      this.selectedAt = index;
    }
    return tr;
  }
}

/**
 * A row standing for the rows not drawn: one cell only, so it adds no column of its own to the
 * table (a table whose narrower layout hides some columns keeps only the columns shown).
 */
function spacer(): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.className = "virtual-spacer";
  tr.setAttribute("aria-hidden", "true");
  const td = document.createElement("td");
  tr.append(td);
  return tr;
}

function sameWindow(a: RowWindow, b: RowWindow | null): boolean {
  return b !== null && a.first === b.first && a.end === b.end && a.above === b.above && a.below === b.below;
}
