// A virtual list of table rows (issue 19): of a long list only the rows in view (and a few
// around) are in the DOM, between two spacer rows whose heights stand for the rest, so the scroll
// bar is the whole list's; when the rows in view near the end of what is loaded, the next page is
// asked for. Rows have one fixed height (the CSS's `--row-height`), which keeps the arithmetic
// exact and a scroll cheap. Hand-written (about 150 lines) rather than a dependency: tables need
// spacer rows, which a generic virtualizer leaves to its caller anyway.
//
// Each row carries `data-row` (its index in the list), `aria-rowindex` and `aria-selected`, so a
// keyboard list navigation can move through rows it finds in the DOM.

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
  /** Columns, for the spacer rows. */
  columns: number;
  /** Every row's height in pixels, until a drawn row is measured. */
  rowHeight: number;
  /** Rows drawn beyond the viewport on each side. */
  overscan?: number;
  /** Asks for the next page when the rows drawn come within this many of the end of those loaded. */
  loadAhead?: number;
  /** One row. */
  renderRow: (item: T, index: number) => HTMLTableRowElement;
  /** Asked for when more rows are wanted and more exist; called again only after it settles. */
  loadMore: () => Promise<void>;
}

/** The list: set its rows, add a page of them, and it keeps the DOM to the rows in view. */
export class VirtualList<T> {
  private items: T[] = [];
  private more = false;
  private loading: Promise<void> | null = null;
  private drawn: RowWindow | null = null;
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
    this.top = spacer(options.columns);
    this.bottom = spacer(options.columns);
    options.viewport.addEventListener("scroll", () => this.schedule(), { passive: true });
  }

  /** The rows loaded so far. */
  get rows(): readonly T[] {
    return this.items;
  }

  /** Whether more rows exist beyond those loaded. */
  get hasMore(): boolean {
    return this.more;
  }

  /** Replaces the rows (a new search or order) and scrolls back to the top. */
  reset(items: T[], more: boolean): void {
    this.items = items;
    this.more = more;
    this.drawn = null;
    this.options.viewport.scrollTop = 0;
    this.draw();
  }

  /** Adds the next page's rows. */
  append(items: T[], more: boolean): void {
    this.items = this.items.concat(items);
    this.more = more;
    this.drawn = null;
    this.draw();
  }

  /** Draws the rows in view now (after a scroll, one frame later). */
  draw(): void {
    cancelAnimationFrame(this.frame);
    const { viewport, body } = this.options;
    const rowHeight = this.rowHeight;
    const height = viewport.clientHeight || window.innerHeight || 600;
    const view = rowWindow(viewport.scrollTop, height, rowHeight, this.items.length, this.overscan);
    if (!sameWindow(view, this.drawn)) {
      this.top.style.height = `${view.above}px`;
      this.bottom.style.height = `${view.below}px`;
      const rows = this.items.slice(view.first, view.end).map((item, i) => this.row(item, view.first + i));
      body.replaceChildren(...(view.above > 0 ? [this.top] : []), ...rows, ...(view.below > 0 ? [this.bottom] : []));
      this.drawn = view;
    }
    this.measure();
    if (this.more && !this.loading && view.end + this.loadAhead >= this.items.length) {
      // After a page arrives the window is looked at again: a tall viewport may want another. A
      // page that fails ends the loading (the caller shows why) rather than asking again and again.
      this.loading = this.options.loadMore().then(
        () => {
          this.loading = null;
          this.draw();
        },
        () => {
          this.loading = null;
          this.more = false;
        },
      );
    }
  }

  /** Keeps the rows where they are (another desktop's change): replaces them without scrolling. */
  replace(items: T[], more: boolean): void {
    this.items = items;
    this.more = more;
    this.drawn = null;
    this.draw();
  }

  /** Waits for the page being loaded, if any (tests, and whoever must not ask twice). */
  async settled(): Promise<void> {
    while (this.loading) await this.loading;
  }

  /** Rows are as tall as the CSS makes them (zoom changes it): the first one drawn is measured. */
  private measure(): void {
    const first = this.options.body.querySelector<HTMLElement>("tr[data-row]");
    const height = first?.offsetHeight ?? 0;
    if (height > 0 && Math.abs(height - this.rowHeight) >= 1) {
      this.rowHeight = height;
      this.drawn = null;
      this.schedule();
    }
  }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  private row(item: T, index: number): HTMLTableRowElement {
    const tr = this.options.renderRow(item, index);
    tr.dataset.row = String(index);
    tr.setAttribute("aria-rowindex", String(index + 2));
    if (!tr.hasAttribute("aria-selected")) tr.setAttribute("aria-selected", "false");
    return tr;
  }
}

function spacer(columns: number): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.className = "virtual-spacer";
  tr.setAttribute("aria-hidden", "true");
  const td = document.createElement("td");
  td.colSpan = columns;
  tr.append(td);
  return tr;
}

function sameWindow(a: RowWindow, b: RowWindow | null): boolean {
  return b !== null && a.first === b.first && a.end === b.end && a.above === b.above && a.below === b.below;
}
