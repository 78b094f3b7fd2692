// My work against a mocked Rust side: each step with its count and its oldest cases (a case opens
// in one click), an empty step said so, the cut past the limit said so, the changes waiting for a
// check one click away; and the controls of other screens shown by the core's permissions only.
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { CaseSummary, PartnerRow, UserView, WorkQueueView } from "../api";
import type { Shell } from "../app";
import type { Role } from "../bindings/Role";
import { setLocale } from "../i18n";
import { renderQueue, waitingCount } from "./queue";
import { renderInbox } from "./inbox";
import { renderPartners } from "./partners";
import { queueOf, shellOf, userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

function summary(id: number, status: CaseSummary["status"]): CaseSummary {
  return {
    id,
    status,
    verdict: status === "accepted" ? "accepted" : "hold",
    partner: "Globex Corporation",
    payee: "Globex Corporation",
    amount: "1250.00 EUR",
    account: "DE89 3704 0044 0532 0130 00",
    account_fraudulent: false,
    file_name: `case-${id}.csi`,
    received_at: "2026-01-01T00:00:00Z",
    received_by: "carol",
  };
}

const shell = (user: UserView): Shell => shellOf(user);

describe("my work", () => {
  it("lists each step's cases, oldest first, says which steps are empty, and opens a case", async () => {
    const queue: WorkQueueView = queueOf("approve", [summary(3, "callback_confirmed"), summary(7, "accepted")]);
    queue.groups[2] = { step: "release", count: 250, cases: [summary(1, "approved")] };
    queue.changes_to_check = 2;
    mockIPC((cmd) => {
      if (cmd === "work_queue") return queue;
      throw new Error(cmd);
    });
    const s = shell(userOf("erin", "approver"));
    await renderQueue(s);
    await flush();
    const steps = [...s.content.querySelectorAll<HTMLElement>(".queue-group")].map((g) => [g.dataset.step, g.dataset.count]);
    expect(steps).toEqual([["call_back", "0"], ["approve", "2"], ["release", "250"], ["reopen", "0"]]);
    expect(s.content.querySelector("#queue-title")?.textContent).toBe("What waits for erin");
    expect(s.content.querySelector("#queue-summary")?.textContent).toBe("252 cases wait for you.");
    expect(s.content.querySelector("#queue-call_back")?.textContent).toContain("None.");
    expect([...s.content.querySelectorAll("#queue-approve tbody tr")].map((r) => r.getAttribute("data-case-id"))).toEqual(["3", "7"]);
    expect(s.content.querySelector("#queue-release")?.textContent).toContain("The oldest 1 of 250");
    s.content.querySelector<HTMLButtonElement>("#queue-approve .open-case")!.click();
    expect(s.openCase).toHaveBeenCalledWith(3);
    expect(s.content.querySelector("#queue-changes")?.textContent).toContain("2 pending changes wait for your check.");
    s.content.querySelector<HTMLButtonElement>("#queue-open-changes")!.click();
    expect(s.openChanges).toHaveBeenCalled();
    expect(waitingCount(queue)).toBe(252);
  });

  it("lists apart the payments waiting out their cooling-off, with when each may go, not counted as work", async () => {
    const queue: WorkQueueView = queueOf();
    queue.cooling_off_count = 3;
    queue.cooling_off = [{ case: summary(4, "approved"), until: "2026-12-05T09:00:00Z" }];
    mockIPC((cmd) => {
      if (cmd === "work_queue") return queue;
      throw new Error(cmd);
    });
    const s = shell(userOf("anna", "approver"));
    await renderQueue(s);
    const card = s.content.querySelector<HTMLElement>("#queue-cooling-off")!;
    expect(card.dataset.count).toBe("3");
    expect(card.querySelector("h3")?.textContent).toBe("Waiting out the cooling-off 3");
    const row = card.querySelector<HTMLTableRowElement>("tbody tr[data-case-id='4']")!;
    expect(row.querySelector("time[datetime='2026-12-05T09:00:00Z']")).not.toBeNull();
    expect(row.getAttribute("aria-label")).toContain("Release from:");
    expect(card.querySelectorAll("thead th").length).toBe(row.cells.length);
    expect(card.textContent).toContain("The first 1 of 3 to end.");
    expect(s.content.querySelector("#queue-summary")?.textContent).toBe("Nothing waits for you.");
    row.querySelector<HTMLButtonElement>(".open-case")!.click();
    expect(s.openCase).toHaveBeenCalledWith(4);
    expect(waitingCount(queue)).toBe(0);
    queue.cooling_off_count = 0;
    queue.cooling_off = [];
    const none = shell(userOf("anna", "approver"));
    await renderQueue(none);
    expect(none.content.querySelector("#queue-cooling-off")).toBeNull();
  });

  it("says when nothing waits, in the user's language", async () => {
    mockIPC((cmd) => {
      if (cmd === "work_queue") return queueOf();
      throw new Error(cmd);
    });
    setLocale("es");
    const s = shell(userOf("frank", "auditor"));
    await renderQueue(s);
    expect(s.content.querySelector("#queue-summary")?.textContent).toBe("Nada le espera.");
    expect(s.content.querySelector("#queue-call_back h3")?.textContent).toContain("Por devolver la llamada");
    expect(s.content.querySelector("#queue-changes")).toBeNull();
  });

  it("shows the core's refusal when the queue cannot be read", async () => {
    mockIPC(() => {
      throw { code: "state_unverified", message: "the row of case 4 differs from the signed statements" };
    });
    const s = shell(userOf("carol", "clerk"));
    await renderQueue(s);
    expect(s.content.querySelector("#queue-error")?.getAttribute("data-code")).toBe("state_unverified");
  });
});

describe("the first-run checklist", () => {
  it("shows an admin what the workspace still lacks, each item one click from where it is done", async () => {
    const asked: string[] = [];
    mockIPC((cmd) => {
      asked.push(cmd);
      if (cmd === "work_queue") return queueOf();
      if (cmd === "setup_checklist") return { our_account: false, first_partner: true, second_checker: false, key_backed_up: false };
      throw new Error(cmd);
    });
    const s = { ...shell(userOf("alice", "admin")), openSettings: vi.fn() };
    await renderQueue(s);
    const items = [...s.content.querySelectorAll<HTMLElement>("#setup-checklist li")].map((li) => [li.dataset.item, li.dataset.done]);
    expect(items).toEqual([["our_account", "false"], ["first_partner", "true"], ["second_checker", "false"], ["key_backed_up", "false"]]);
    expect(s.content.querySelector("#checklist-open-first_partner")).toBeNull();
    s.content.querySelector<HTMLButtonElement>("#checklist-open-our_account")!.click();
    expect(s.openSettings).toHaveBeenCalled();
  });

  it("is gone once everything is done, and never asked for by a clerk", async () => {
    const asked: string[] = [];
    mockIPC((cmd) => {
      asked.push(cmd);
      if (cmd === "work_queue") return queueOf();
      if (cmd === "setup_checklist") return { our_account: true, first_partner: true, second_checker: true, key_backed_up: true };
      throw new Error(cmd);
    });
    const admin = shell(userOf("alice", "admin"));
    await renderQueue(admin);
    expect(admin.content.querySelector("#setup-checklist")).toBeNull();
    const clerk = shell(userOf("carol", "clerk"));
    asked.length = 0;
    await renderQueue(clerk);
    expect(asked).toEqual(["work_queue"]);
  });
});

describe("the controls each role is offered", () => {
  it.each<[Role, boolean]>([
    ["clerk", true],
    ["approver", true],
    ["admin", true],
    ["auditor", false],
  ])("the inbox offers receiving to a %s: %s", async (role, offered) => {
    mockIPC((cmd) => {
      if (cmd === "case_page") return { cases: [], next: null };
      if (cmd === "watch_drops") return null;
      throw new Error(cmd);
    });
    const s = shell(userOf("x", role));
    await renderInbox(s);
    expect(s.content.querySelector("#receive-form") !== null).toBe(offered);
    expect(s.content.querySelector("#cases")).not.toBeNull();
  });

  it.each<[Role, boolean]>([
    ["clerk", false],
    ["approver", false],
    ["admin", true],
    ["auditor", false],
  ])("the partner list offers onboarding and issuing to a %s: %s", async (role, offered) => {
    const row: PartnerRow = { id: 1, name: "Globex Corporation", country: "DE", active_keys: [], current_account: null };
    mockIPC((cmd) => {
      if (cmd === "list_partners") return [row];
      if (cmd === "list_fraud_marks") return [];
      throw new Error(cmd);
    });
    const s = shell(userOf("x", role));
    await renderPartners(s);
    await flush();
    expect([s.content.querySelector("#partner-onboard") !== null, s.content.querySelector("#issue-open") !== null]).toEqual([offered, offered]);
  });
});
