// Which characters of a new bank account differ from the account on file, for highlighting.
// Spaces are layout, not content: they are kept in the output but never count as changes.

export interface Segment {
  text: string;
  changed: boolean;
}

/**
 * Splits `next` into runs of characters that are, or are not, part of a longest common
 * subsequence with `previous` (ignoring spaces). Unchanged characters stay plain; when less than
 * half of `next` is shared, all of it is marked (an unrelated account, not an edit).
 */
export function changedCharacters(previous: string, next: string): Segment[] {
  const a = [...previous.replace(/\s+/g, "")];
  const bChars = [...next];
  const b = bChars.filter((c) => !/\s/.test(c));
  // LCS table, (a.length + 1) x (b.length + 1); account numbers are short.
  const rows = a.length + 1;
  const cols = b.length + 1;
  const table = new Uint16Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * cols + j] =
        a[i] === b[j]
          ? table[(i + 1) * cols + j + 1] + 1
          : Math.max(table[(i + 1) * cols + j], table[i * cols + j + 1]);
    }
  }
  const kept = new Array<boolean>(b.length).fill(false);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      kept[j] = true;
      i++;
      j++;
    } else if (table[(i + 1) * cols + j] >= table[i * cols + j + 1]) {
      i++;
    } else {
      j++;
    }
  }
  // Scattered matches between two unrelated accounts mean nothing: mark all of it.
  if (kept.filter(Boolean).length < b.length / 2) kept.fill(false);
  const segments: Segment[] = [];
  let k = 0;
  for (const c of bChars) {
    const changed = /\s/.test(c) ? false : !kept[k++];
    const last = segments[segments.length - 1];
    if (last && (last.changed === changed || /\s/.test(c))) last.text += c;
    else segments.push({ text: c, changed });
  }
  return segments;
}
