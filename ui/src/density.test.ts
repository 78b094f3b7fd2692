// The density setting: comfortable unless compact was chosen, remembered, and on the root element.
import { afterEach, describe, expect, it } from "vitest";
import { applyDensity, density, setDensity } from "./density";

afterEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.density;
});

describe("the density", () => {
  it("is comfortable at first, compact once chosen, and shown on the root element", () => {
    applyDensity();
    expect(density()).toBe("comfortable");
    expect(document.documentElement.dataset.density).toBe("comfortable");
    setDensity("compact");
    expect(document.documentElement.dataset.density).toBe("compact");
    expect(localStorage.getItem("countersign.density")).toBe("compact");
    document.documentElement.dataset.density = "comfortable";
    applyDensity(); // a new window on this desktop
    expect(document.documentElement.dataset.density).toBe("compact");
    setDensity("comfortable");
    expect(density()).toBe("comfortable");
  });
});
