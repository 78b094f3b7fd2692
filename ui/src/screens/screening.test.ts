// The payment-file screen against a mocked Rust side: the verdict, the counts and the file's
// facts; the file's own figures above the lines; the lines worst first, then in each other order;
// each reason as its title and the core's sentence, never a bare code; the partner's name opening
// its view; the approved copy offered only when some lines are ok and some not, written for the
// screening shown; an invalid file's message with its line, without the code; the check's five
// answers; the file chosen with the dialog or dropped; auditors offered the check only; every
// string in the chosen language.
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { FileCheckView, ScreenLineView, ScreenView } from "../api";
import { renderApp, type Shell } from "../app";
import { setLocale } from "../i18n";
import { MAX_LINES, renderScreening, sortLines } from "./screening";
import type { LineVerdict, Role } from "../codes";
import { userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

function line(number: number, verdict: LineVerdict, creditor: string, amount: string, partner: { id: number; name: string } | null = null): ScreenLineView {
  const reasons =
    verdict === "ok"
      ? []
      : verdict === "hold"
        ? [{ code: "creditor_not_partner" as const, verdict, message: `neither the account nor the name "${creditor}" is a partner's` }]
        : [{ code: "account_used_by_other_partner" as const, verdict, message: "the line names Umbrella Logistics S.L. but the account is Acme Tekstil A.S.'s" }];
  return {
    number,
    block: "RUN-1",
    end_to_end_id: `E2E-${number}`,
    creditor_name: creditor,
    account: "ES91 2100 0418 4502 0005 1332",
    bic: "CAIXESBBXXX",
    amount,
    currency: "EUR",
    remittance: `INV-${number}`,
    partner,
    verdict,
    reasons,
  };
}

const UMBRELLA = { id: 3, name: "Umbrella Logistics S.L." };

const report: ScreenView = {
  file_name: "run-42.xml",
  version: "pain.001.001.03",
  message_id: "ERP-RUN-42",
  created_at: "2026-12-01T08:00:00",
  file_sha256: "ab".repeat(32),
  screened_at: "2026-12-03T09:00:00Z",
  screened_by: "carol",
  event: 77,
  verdict: "blocked",
  counts: { lines: 4, ok: 2, hold: 1, blocked: 1 },
  file_findings: [{ code: "control_sum_mismatch", block: null, message: "the group header says the amounts sum to 1.00, they sum to 5840.00" }],
  lines: [
    line(1, "ok", "Umbrella Logistics S.L.", "1840.00", UMBRELLA),
    line(2, "hold", "Northwind Traders GmbH", "980.00"),
    line(3, "blocked", "Umbrella Logistics S.L.", "3000.00", UMBRELLA),
    line(4, "ok", "Umbrella Logistics S.L.", "20.00", UMBRELLA),
  ],
  copy_lines: 2,
};

function check(standing: FileCheckView["standing"]): FileCheckView {
  const screening =
    standing === "changed" || standing === "not_screened"
      ? null
      : { event: 77, at: "2026-12-03T09:00:00Z", by: "carol", file_sha256: "ab".repeat(32), message_id: "ERP-RUN-42", verdict: "blocked" as const, counts: report.counts };
  const same = standing === "changed" ? [{ event: 77, at: "2026-12-03T09:00:00Z", by: "carol", file_sha256: "ab".repeat(32), message_id: "ERP-RUN-42", verdict: "ok" as const, counts: { lines: 2, ok: 2, hold: 0, blocked: 0 } }] : [];
  return { file_name: "run-42.xml", standing, file_sha256: "cd".repeat(32), message_id: "ERP-RUN-42", screening, same_message: same };
}

function shell(role: Role = "clerk"): Shell {
  return {
    user: userOf(role === "auditor" ? "frank" : "carol", role),
    org: "Initech GmbH",
    content: document.createElement("div"),
    openQueue: vi.fn(),
    openInbox: vi.fn(),
    openCase: vi.fn(),
    openPartners: vi.fn(),
    openPartner: vi.fn(),
    setScreen: vi.fn(),
  };
}

type Call = { cmd: string; args: Record<string, unknown> };

function backend(override: (cmd: string, args: Record<string, unknown>) => unknown = () => undefined): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const answer = override(cmd, args);
    if (answer !== undefined) return answer;
    switch (cmd) {
      case "watch_drops":
        return null;
      case "pick_payment_file":
        return "/home/carol/run-42.xml";
      case "screen_payment_file":
        return report;
      case "save_approved_copy":
        return { saved_to: "/exports/run-42-approved.xml", lines: 2, of: 4, sha256: "ef".repeat(32) };
      case "check_payment_file":
        return check("approved_copy");
    }
    throw { code: "unexpected", message: `unexpected command ${cmd}` };
  });
  return calls;
}

const $ = <T extends Element = HTMLElement>(root: ParentNode, selector: string) => root.querySelector<T>(selector);

async function screened(role: Role = "clerk", override?: (cmd: string, args: Record<string, unknown>) => unknown): Promise<{ s: Shell; calls: Call[] }> {
  const calls = backend(override);
  const s = shell(role);
  renderScreening(s);
  $<HTMLInputElement>(s.content, "#payment-file-path")!.value = "/home/carol/run-42.xml";
  $<HTMLFormElement>(s.content, "#payment-file-form")!.requestSubmit();
  await flush();
  return { s, calls };
}

const lineNumbers = (root: ParentNode) => [...root.querySelectorAll<HTMLElement>("#screen-lines tbody")].map((b) => Number(b.dataset.line));

describe("the screening report", () => {
  it("shows the verdict, the counts per verdict and the file's facts", async () => {
    const { s, calls } = await screened();
    expect(calls.find((c) => c.cmd === "screen_payment_file")?.args).toEqual({ path: "/home/carol/run-42.xml" });
    expect($(s.content, "#screen-report-title")?.textContent).toBe("Screening of run-42.xml");
    const banner = $(s.content, "#screen-verdict")!;
    expect(banner.dataset.verdict).toBe("blocked");
    expect(banner.textContent).toContain("Blocked Do not send this file to the bank as it is");
    const counts = Object.fromEntries([...s.content.querySelectorAll<HTMLElement>("#screen-counts [data-verdict]")].map((c) => [c.dataset.verdict, c.textContent]));
    expect(counts).toEqual({ ok: "2 ok", hold: "1 held", blocked: "1 blocked" });
    expect($(s.content, "#screen-counts")?.textContent).toContain("4 lines:");
    expect($(s.content, "#screen-version")?.textContent).toBe("pain.001.001.03");
    expect($(s.content, "#screen-message-id")?.textContent).toBe("ERP-RUN-42");
    expect(s.content.textContent).toContain("event #77");
  });

  it("shows the file's own figures above the lines", async () => {
    const { s } = await screened();
    const findings = $(s.content, "#screen-findings")!;
    expect(findings.compareDocumentPosition($(s.content, "#screen-lines")!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(findings.querySelector("li")?.textContent).toBe("Wrong control sum (group header): the group header says the amounts sum to 1.00, they sum to 5840.00");
  });

  it("lists the lines worst first, and in every other order", async () => {
    const { s } = await screened();
    expect(lineNumbers(s.content)).toEqual([3, 2, 1, 4]);
    const sort = $<HTMLSelectElement>(s.content, "#screen-sort")!;
    for (const [order, expected] of [["line", [1, 2, 3, 4]], ["creditor", [2, 1, 3, 4]], ["amount", [3, 1, 2, 4]], ["worst", [3, 2, 1, 4]]] as const) {
      sort.value = order;
      sort.dispatchEvent(new Event("change"));
      expect(lineNumbers(s.content), order).toEqual(expected);
    }
  });

  it("says each reason as its title and the core's sentence, and never shows a bare code", async () => {
    const { s } = await screened();
    const held = $(s.content, '#screen-lines tbody[data-line="2"]')!;
    expect(held.dataset.verdict).toBe("hold");
    const reason = held.querySelector<HTMLElement>("li.finding")!;
    expect(reason.dataset.code).toBe("creditor_not_partner");
    expect(reason.textContent).toBe('Not a partner: neither the account nor the name "Northwind Traders GmbH" is a partner\'s');
    expect(held.textContent).toContain("€980.00");
    expect($(s.content, '#screen-lines tbody[data-line="3"] li.finding')?.classList.contains("finding-critical")).toBe(true);
    expect(s.content.textContent).not.toMatch(/creditor_not_partner|account_used_by_other_partner|control_sum_mismatch|[{}]/);
  });

  it("opens the matched partner's view from its name", async () => {
    const { s } = await screened();
    const link = $<HTMLButtonElement>(s.content, '#screen-lines tbody[data-line="1"] .partner-link')!;
    expect(link.textContent).toBe("Umbrella Logistics S.L.");
    expect(link.classList.contains("creditor-name")).toBe(true);
    link.click();
    expect(s.openPartner).toHaveBeenCalledWith(3);
    expect($(s.content, '#screen-lines tbody[data-line="2"] .partner-link')).toBeNull();
  });

  it("names the matched partner under a creditor name that is not its own", async () => {
    const other: ScreenView = { ...report, lines: [{ ...line(1, "blocked", "Umbrella Logistics S.L.", "5.00"), partner: { id: 2, name: "Acme Tekstil A.S." } }] };
    const { s } = await screened("clerk", (cmd) => (cmd === "screen_payment_file" ? other : undefined));
    const cell = $(s.content, '#screen-lines tbody[data-line="1"] td.creditor')!;
    expect(cell.querySelector(".creditor-name")?.textContent).toBe("Umbrella Logistics S.L.");
    expect(cell.querySelector(".partner")?.textContent).toBe("Partner: Acme Tekstil A.S.");
    cell.querySelector<HTMLButtonElement>(".partner-link")!.click();
    expect(s.openPartner).toHaveBeenCalledWith(2);
  });

  it("draws at most MAX_LINES lines and says so", async () => {
    const many: ScreenView = { ...report, lines: Array.from({ length: MAX_LINES + 20 }, (_, i) => line(i + 1, "ok", "Umbrella Logistics S.L.", "1.00")) };
    const { s } = await screened("clerk", (cmd) => (cmd === "screen_payment_file" ? many : undefined));
    expect(s.content.querySelectorAll("#screen-lines tbody").length).toBe(MAX_LINES);
    expect($(s.content, "#screen-lines-note")?.hidden).toBe(false);
    expect($(s.content, "#screen-lines-note")?.textContent).toBe(`Showing the first ${MAX_LINES} of ${MAX_LINES + 20} lines in this order.`);
  });
});

describe("the approved copy", () => {
  it("is written for the screening shown, and says how many lines it keeps and where it went", async () => {
    const { s, calls } = await screened();
    expect($(s.content, "#copy-hint")?.textContent).toBe("The copy keeps the 2 ok lines of 4: the held and blocked lines are left out, the counts and sums recomputed.");
    $<HTMLButtonElement>(s.content, "#write-copy")!.click();
    await flush();
    expect(calls.find((c) => c.cmd === "save_approved_copy")?.args).toEqual({ event: 77 });
    expect($(s.content, "#copy-saved")?.textContent).toBe("Approved copy with 2 of 4 lines saved to /exports/run-42-approved.xml.");
    expect($(s.content, "#copy-path")?.textContent).toBe("/exports/run-42-approved.xml");
  });

  it("is not offered when the Rust side has none to write (every line ok, or none)", async () => {
    const { s } = await screened("clerk", (cmd) => (cmd === "screen_payment_file" ? { ...report, copy_lines: null } : undefined));
    expect($(s.content, "#write-copy")).toBeNull();
  });

  it("shows a refusal to write it", async () => {
    const { s } = await screened("clerk", (cmd) => {
      if (cmd === "save_approved_copy") throw { code: "file_exists", message: "/exports/x.xml exists: a payment file is never overwritten. Choose another name." };
    });
    $<HTMLButtonElement>(s.content, "#write-copy")!.click();
    await flush();
    expect($(s.content, "#copy-error")?.dataset.code).toBe("file_exists");
  });
});

describe("an invalid file", () => {
  it("is named with its line and problem, without the code, and nothing is shown as screened", async () => {
    const message = "bad.xml: line 2: the file has a document type declaration (DTD); payment files have none, and entities are never expanded";
    const { s } = await screened("clerk", (cmd) => {
      if (cmd === "screen_payment_file") throw { code: "payment_file_invalid", message };
    });
    const error = $(s.content, "#screen-error")!;
    expect(error.dataset.code).toBe("payment_file_invalid");
    expect(error.getAttribute("role")).toBe("alert");
    expect($(s.content, "#screen-error-message")?.textContent).toBe(message);
    expect(error.textContent).toContain("This file cannot be screened.");
    expect(error.textContent).not.toContain("payment_file_invalid");
    expect($(s.content, "#screen-report")).toBeNull();
  });
});

describe("the check", () => {
  const cases: [FileCheckView["standing"], string][] = [
    ["screened_ok", "This file is byte for byte the one screened on"],
    ["approved_copy", "This file is the approved copy written by the screening on"],
    ["screened_not_ok", "1 held and 1 blocked lines. Do not send it to the bank as it is."],
    ["changed", "this one was changed after screening"],
    ["not_screened", "No screening of this file is in the log."],
  ];

  it("says each of its five answers in words", async () => {
    for (const [standing, words] of cases) {
      const calls = backend((cmd) => (cmd === "check_payment_file" ? check(standing) : undefined));
      const s = shell("auditor");
      renderScreening(s);
      $<HTMLInputElement>(s.content, "#payment-file-path")!.value = "/home/frank/run-42.xml";
      $<HTMLButtonElement>(s.content, "#check-submit")!.click();
      await flush();
      expect(calls.find((c) => c.cmd === "check_payment_file")?.args).toEqual({ path: "/home/frank/run-42.xml" });
      const result = $(s.content, "#check-result")!;
      expect(result.dataset.standing).toBe(standing);
      expect($(s.content, "#check-sentence")?.textContent).toContain(words);
      // No code on screen ("changed" is also an English word).
      if (standing.includes("_")) expect(result.textContent).not.toContain(standing);
      if (standing === "changed") expect($(s.content, "#check-same-message")?.textContent).toContain("Other files screened with message id ERP-RUN-42:");
      clearMocks();
    }
  });

  it("is all auditors are offered: no Screen button; Enter checks", async () => {
    const calls = backend();
    const s = shell("auditor");
    renderScreening(s);
    expect($(s.content, "#screen-submit")).toBeNull();
    expect($(s.content, "#screening-title")?.textContent).toBe("Check a payment file");
    $<HTMLInputElement>(s.content, "#payment-file-path")!.value = "/x/run-42.xml";
    $<HTMLFormElement>(s.content, "#payment-file-form")!.requestSubmit();
    await flush();
    expect(calls.map((c) => c.cmd)).toContain("check_payment_file");
    expect(calls.map((c) => c.cmd)).not.toContain("screen_payment_file");
  });
});

describe("choosing the file", () => {
  it("takes the path the dialog gives, or the first file dropped", async () => {
    let drop: ((paths: string[]) => void) | null = null;
    backend((cmd, args) => {
      if (cmd === "watch_drops") {
        const channel = args.channel as { onmessage: (paths: string[]) => void };
        drop = (paths) => channel.onmessage(paths);
        return null;
      }
    });
    const s = shell();
    renderScreening(s);
    $<HTMLButtonElement>(s.content, "#pick-payment-file")!.click();
    await flush();
    expect($<HTMLInputElement>(s.content, "#payment-file-path")?.value).toBe("/home/carol/run-42.xml");
    expect($(s.content, "#payment-file-ready")?.textContent).toBe("run-42.xml is ready: screen it or check it.");
    expect(drop).not.toBeNull();
    drop!(["/tmp/dropped.xml", "/tmp/other.xml"]);
    expect($<HTMLInputElement>(s.content, "#payment-file-path")?.value).toBe("/tmp/dropped.xml");
  });
});

describe("the chosen language", () => {
  it("names the verdicts, the reasons and the counts in Turkish and Spanish", async () => {
    setLocale("tr");
    let { s } = await screened();
    expect($(s.content, '#screen-lines tbody[data-line="2"] li.finding strong')?.textContent).toBe("İş ortağı değil");
    expect($(s.content, "#screen-counts")?.textContent).toContain("1 engellendi");
    setLocale("es");
    ({ s } = await screened());
    expect($(s.content, "#screen-verdict .badge")?.textContent).toBe("Bloqueada");
    expect($(s.content, '#screen-lines tbody[data-line="3"] li.finding strong')?.textContent).toBe("Cuenta de otro socio");
  });
});

describe("sorting", () => {
  it("keeps file order among lines of the same verdict", () => {
    const lines = [line(5, "hold", "B", "1"), line(2, "hold", "A", "1"), line(9, "blocked", "C", "1")];
    expect(sortLines(lines, "worst").map((l) => l.number)).toEqual([9, 2, 5]);
  });
});

describe("the Payment files button", () => {
  it("is offered to every role and opens the screen", async () => {
    for (const role of ["clerk", "approver", "admin", "auditor"]) {
      backend((cmd) => {
        if (cmd === "app_info") return { name: "Countersign", version: "1" };
        if (cmd === "workspace_status") return { dir: "/ws", exists: true, org_name: "Initech GmbH", user: userOf("x", role as Role) };
        if (cmd === "case_page") return { cases: [], next: null };
      });
      const root = document.createElement("main");
      await renderApp(root);
      await flush();
      root.querySelector<HTMLButtonElement>("#nav-screening")!.click();
      await flush();
      expect(root.dataset.screen).toBe("screening");
      expect(root.querySelector("#screen-submit") === null).toBe(role === "auditor");
      clearMocks();
    }
  });
});
