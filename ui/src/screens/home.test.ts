import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { renderHome, TAGLINE } from "./home";

afterEach(() => {
  clearMocks();
});

describe("home screen", () => {
  it("shows the name, the tagline and the version from app_info", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "app_info") {
        return { name: "Countersign", version: "9.8.7" };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    const root = document.createElement("main");

    await renderHome(root);

    expect(calls).toEqual(["app_info"]);
    expect(root.querySelector("#app-name")?.textContent).toBe("Countersign");
    expect(root.querySelector("#app-tagline")?.textContent).toBe(TAGLINE);
    expect(root.querySelector("#app-version")?.textContent).toBe("9.8.7");
    expect(root.dataset.state).toBe("ready");
    expect(root.querySelector("#app-error")).toBeNull();
  });

  it("shows a command error's message and code instead of a version", async () => {
    mockIPC(() => {
      throw { code: "store_unavailable", message: "The workspace database cannot be opened." };
    });
    const root = document.createElement("main");

    await renderHome(root);

    expect(root.querySelector("#app-version")?.textContent).toBe("unknown");
    expect(root.querySelector("#app-error")?.textContent).toBe(
      "The workspace database cannot be opened. (store_unavailable)",
    );
    expect(root.dataset.state).toBe("error");
  });

  it("wraps a refusal from Tauri itself as an ipc_error", async () => {
    mockIPC(() => {
      throw "app_info not allowed. Command not found";
    });
    const root = document.createElement("main");

    await renderHome(root);

    expect(root.querySelector("#app-error")?.textContent).toBe(
      "app_info not allowed. Command not found (ipc_error)",
    );
  });
});
