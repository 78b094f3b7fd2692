// An audit event beside the log (issue 19): the log's numbers open the event in the pane beside
// it through the shell, with its facts and its details laid out one field a line; the log's rows
// are a keyboard list and its columns sort.
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { AuditEvent } from "../api";
import { eventDetail, laidOut, renderAudit } from "./audit";
import { shellOf, userOf } from "../testing";

afterEach(() => clearMocks());

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

function event(seq: number): AuditEvent {
  return { seq, at: "2026-11-02T09:00:00Z", actor: "carol", action: "instruction.receive", subject: `case:${seq}`, details: `{"verdict":"hold","n":${seq}}`, hash: "cd".repeat(32) };
}

describe("an audit event beside the log", () => {
  it("is opened from its number through the shell, drawn into the pane it is given", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_partners") return [];
      if (cmd === "audit_log") return { events: [event(2), event(10), event(1)], total: 3, next: null };
      if (cmd === "audit_activity") return [];
      throw { code: "unexpected", message: cmd };
    });
    const pane = document.createElement("div");
    const showBeside = vi.fn((draw: (pane: HTMLElement) => void) => draw(pane));
    const shell = shellOf(userOf("frank", "auditor"), { showBeside });
    await renderAudit(shell);
    await flush();
    const table = shell.content.querySelector<HTMLElement>("#audit-table")!;
    expect(table.getAttribute("data-listnav")).toBe("tr[data-seq]");
    // Sorted by number, newest first, as the log comes; the number column sorts as numbers.
    expect(table.querySelector("th")?.getAttribute("aria-sort")).toBe("descending");
    table.querySelector<HTMLButtonElement>("th button.sort")!.click();
    expect(Array.from(table.querySelectorAll("tbody tr")).map((r) => r.getAttribute("data-seq"))).toEqual(["1", "2", "10"]);
    table.querySelector<HTMLButtonElement>('tbody button[data-seq="10"]')!.click();
    expect(showBeside).toHaveBeenCalledOnce();
    expect(pane.querySelector("#audit-event")?.getAttribute("data-seq")).toBe("10");
  });

  it("shows the event's facts and its details one field a line", () => {
    const detail = eventDetail(event(7));
    expect(detail.querySelector("#audit-event-title")?.textContent).toBe("Event 7");
    expect(Array.from(detail.querySelectorAll("dt")).map((d) => d.textContent)).toEqual(["Time", "User", "Action", "Subject"]);
    expect(detail.querySelector("time")?.getAttribute("datetime")).toBe("2026-11-02T09:00:00Z");
    expect(detail.querySelector("#audit-event-details")?.textContent).toBe('{\n  "verdict": "hold",\n  "n": 7\n}');
    expect(laidOut("not json")).toBe("not json");
  });
});
