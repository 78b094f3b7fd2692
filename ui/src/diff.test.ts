import { describe, expect, it } from "vitest";
import { changedCharacters } from "./diff";

const changed = (a: string, b: string) =>
  changedCharacters(a, b)
    .filter((s) => s.changed)
    .map((s) => s.text.trim());

describe("changed characters of a bank account", () => {
  it("marks nothing when the account is the same, spaces aside", () => {
    expect(changed("DE89 3704 0044 0532 0130 00", "DE8937040044053201300 0")).toEqual([]);
  });

  it("marks a single changed digit and keeps the rest plain", () => {
    const segments = changedCharacters("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 01");
    expect(segments.map((s) => s.text).join("")).toBe("DE89 3704 0044 0532 0130 01");
    expect(changed("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 01")).toEqual(["1"]);
  });

  it("marks all of an unrelated account, not the few characters it shares by chance", () => {
    const segments = changedCharacters("DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32");
    expect(segments).toEqual([{ text: "GB82 WEST 1234 5698 7654 32", changed: true }]);
  });
});
