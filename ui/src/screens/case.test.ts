// The case page's cooling-off (issue 20): the countdown in the user's language from the seconds
// the core counted, the early-release requests with their reasons, and the early-release control
// only for the users the core offers it to, sending the reason typed.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { CaseView } from "../api";
import { setLocale } from "../i18n";
import { shellOf, userOf } from "../testing";
import { renderCase } from "./case";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});

afterEach(() => {
  vi.useRealTimers();
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(0);
};

/** An approved case whose account changed an hour ago: 23 hours left, gina asked once. */
const cooling = (nextSteps: CaseView["next_steps"]): CaseView => ({
  summary: {
    id: 7,
    status: "approved",
    verdict: "hold",
    partner: "Globex Corporation",
    payee: "Globex Corporation",
    amount: "48200.00 EUR",
    account: "DE02 1203 0000 0000 2020 51",
    account_fraudulent: false,
    file_name: "globex.csi",
    received_at: "2026-12-04T09:00:00Z",
    received_by: "clara",
  },
  findings: [],
  email_sha256: null,
  partner_id: 1,
  confirmation_code: "1234 5678",
  bic: "BYLADEM1001",
  reference: null,
  wrong_responses: 0,
  decided_by: "erin",
  decision_reason: null,
  released_by: null,
  on_file_account: null,
  pays_account_on_file: null,
  account_history: [],
  on_file_numbers: [],
  callbacks: [],
  timeline: [],
  next_steps: nextSteps,
  cooling_off: {
    since: "2026-12-04T09:00:00Z",
    until: "2026-12-05T09:00:00Z",
    hours: 24,
    left_seconds: 23 * 3600 + 61,
    early_releases: [{ by: "gina", at: "2026-12-04T09:30:00Z", reason: "payroll due today" }],
    needed: 2,
  },
  name_checks: [],
  may_attach_name_check: false,
  partner_frozen: null,
});

describe("the case page in a cooling-off", () => {
  it("counts down in the user's language and says when the time is up", async () => {
    mockIPC((cmd) => {
      if (cmd === "case_detail") return cooling(["reject"]);
      throw new Error(cmd);
    });
    const shell = shellOf(userOf("erin", "approver"));
    // On the page, as in the app: the countdown stops once its element leaves the document.
    document.body.append(shell.content);
    await renderCase(shell, 7);
    await flush();
    const left = () => shell.content.querySelector("#cooling-off-left")?.textContent ?? "";
    expect(left()).toContain("23 hrs 1 min");
    expect(shell.content.querySelector("#early-releases li")?.textContent).toContain("payroll due today");
    expect(shell.content.querySelector("#early-count")?.textContent).toBe("1 of 2 approvers who took no part in the change asked to release early.");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(left()).toContain("23 hrs 0 min");
    vi.setSystemTime(Date.now() + 23 * 3600_000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(left()).toBe("The cooling-off is over: reload the case to release it.");
    shell.content.remove();
    // erin approved it: the core offers her no early release and no release, so neither is shown.
    expect(shell.content.querySelector("#early-form")).toBeNull();
    expect(shell.content.querySelector("#release-form")).toBeNull();
    expect(shell.content.querySelector("#case-not-yours")).toBeNull();
  });

  it("words the countdown in Turkish and Spanish", async () => {
    mockIPC((cmd) => {
      if (cmd === "case_detail") return cooling(["reject"]);
      throw new Error(cmd);
    });
    for (const [lang, words] of [
      ["tr", "kaldı"],
      ["es", "quedan"],
    ] as const) {
      setLocale(lang);
      const shell = shellOf(userOf("erin", "approver"));
      await renderCase(shell, 7);
      await flush();
      const text = shell.content.querySelector("#cooling-off-left")?.textContent ?? "";
      expect(text).toContain(words);
      expect(text).not.toContain("left");
    }
  });

  it("offers the early release to an approver the core allows, with the reason typed", async () => {
    let sent: unknown = null;
    let current = cooling(["release_early", "reject"]);
    mockIPC((cmd, args) => {
      switch (cmd) {
        case "case_detail":
          return current;
        case "release_early":
          sent = args;
          current = { ...cooling(["release", "reject"]), cooling_off: null };
          return ["gina", "hank"];
        default:
          throw new Error(cmd);
      }
    });
    const shell = shellOf(userOf("hank", "approver"));
    await renderCase(shell, 7);
    await flush();
    expect(shell.content.querySelector("#release-form")).toBeNull();
    const reason = shell.content.querySelector<HTMLInputElement>("#early-reason")!;
    reason.value = "confirmed again in person";
    shell.content.querySelector<HTMLFormElement>("#early-form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(sent).toEqual({ id: 7, reason: "confirmed again in person" });
    expect(shell.content.querySelector("#case-notice")?.textContent).toBe("Two approvers asked: case #7 may be released now.");
    expect(shell.content.querySelector("#release-form")).not.toBeNull();
    expect(shell.content.querySelector("#cooling-off")).toBeNull();
  });

  it("shows a refusal of the early release with the core's words", async () => {
    mockIPC((cmd) => {
      if (cmd === "case_detail") return cooling(["release_early", "reject"]);
      if (cmd === "release_early") throw { code: "not_permitted", message: "hank called back on this case" };
      throw new Error(cmd);
    });
    const shell = shellOf(userOf("hank", "approver"));
    await renderCase(shell, 7);
    await flush();
    shell.content.querySelector<HTMLInputElement>("#early-reason")!.value = "urgent";
    shell.content.querySelector<HTMLFormElement>("#early-form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(shell.content.querySelector("#case-error")?.textContent).toContain("hank called back on this case");
  });
});
