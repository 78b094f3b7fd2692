// How dense the lists are (issue 19): "comfortable" or "compact", chosen per desktop and kept in
// localStorage, shown as `data-density` on the root element; style.css changes the row heights
// and paddings by it.
export type Density = "comfortable" | "compact";

const STORAGE_KEY = "countersign.density";

/** The choice made in this run, for when there is no storage. */
let chosen: Density | null = null;

/** The density chosen on this desktop (comfortable unless compact was chosen). */
export function density(): Density {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (stored === "compact" || stored === "comfortable") return stored;
    return chosen ?? "comfortable";
  } catch {
    return chosen ?? "comfortable";
  }
}

/** Puts the chosen density on the root element. */
export function applyDensity(): void {
  if (typeof document !== "undefined") document.documentElement.dataset.density = density();
}

/** Chooses a density, remembers it and applies it at once. */
export function setDensity(next: Density): void {
  chosen = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // No storage: the choice lasts until the app closes.
  }
  if (typeof document !== "undefined") document.documentElement.dataset.density = next;
}
