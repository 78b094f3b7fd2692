// The UI against a mocked Rust side: first run, sign-in, the inbox, a case with its findings and
// the changed characters, the callback wizard's refusals, and approval refused by the core; the
// language picker re-rendering the screen that is open in Turkish and Spanish.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { renderApp } from "./app";
import type { CaseView } from "./api";
import { locale, setLocale } from "./i18n";
import { caseViewOf, queueOf, summaryOf, userOf } from "./testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const status = (exists: boolean, user: { name: string; role: string } | null) => ({
  dir: "/tmp/ws",
  exists,
  org_name: exists ? "Initech GmbH" : null,
  user,
});

const holdCase: CaseView = caseViewOf(summaryOf(2, { file_name: "globex-new-bank.json" }), {
  findings: [
    {
      code: "bank_details_changed",
      severity: "warning",
      message: "The account differs from the one on file.",
      values: { from: "DE89 3704 0044 0532 0130 00", to: "GB82 WEST 1234 5698 7654 32" },
    },
  ],
  on_file_numbers: [
    { e164: "+4930123456", display: "+49 30 123456", label: "Accounts receivable", source: "onboarding", recorded_by: "alice", approved_by: "dave", recorded_at: "2025-10-01T08:00:00Z", withheld: null },
    { e164: "+442079460958", display: "+44 20 7946 0958", label: null, source: "partner_card", recorded_by: "alice", approved_by: "dave", recorded_at: "2025-10-01T08:00:00Z", withheld: "in_email" },
    { e164: "+4930765432", display: "+49 30 765432", label: "Treasury", source: "change", recorded_by: "alice", approved_by: "erin", recorded_at: "2026-01-02T08:00:00Z", withheld: "added_after_instruction" },
  ],
  timeline: [{ at: "2026-01-01T00:00:00Z", actor: "carol", action: "instruction.receive", details: "{}" }],
});

function setInput(root: HTMLElement, id: string, value: string) {
  const input = root.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`);
  if (!input) throw new Error(`no #${id}`);
  input.value = value;
}

function submit(root: HTMLElement, id: string) {
  root.querySelector<HTMLFormElement>(`#${id}`)!.dispatchEvent(new Event("submit", { cancelable: true }));
}

describe("the app", () => {
  it("first run: each secret typed twice, the workspace created with what was typed, and the admin signed in on My work", async () => {
    let created: unknown = null;
    mockIPC((cmd, args) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1.2.3" };
      if (cmd === "workspace_status") return status(created !== null, created ? userOf("alice", "admin") : null);
      if (cmd === "create_workspace") {
        created = (args as { request: unknown }).request;
        return status(true, userOf("alice", "admin"));
      }
      if (cmd === "work_queue") return queueOf();
      if (cmd === "workspace_mode") return { setup: true, checkers: ["alice"] };
      if (cmd === "list_changes") return [];
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    expect(root.dataset.screen).toBe("setup");
    expect(root.querySelector("#app-version")?.textContent).toBe("1.2.3");
    setInput(root, "setup-org", "Initech GmbH");
    setInput(root, "setup-admin", "alice");
    setInput(root, "setup-password", "pw pw pw pw pw");
    setInput(root, "setup-password-again", "pw pw pw pw pq");
    setInput(root, "setup-passphrase", "a long passphrase");
    setInput(root, "setup-passphrase-again", "a long passphrase");
    submit(root, "setup-form");
    await flush();
    expect(root.querySelector("#setup-error")?.textContent).toBe("The two passwords differ: type the same password twice.");
    expect(created).toBeNull();
    setInput(root, "setup-password-again", "pw pw pw pw pw");
    setInput(root, "setup-passphrase-again", "a long passphrase.");
    submit(root, "setup-form");
    await flush();
    expect(root.querySelector("#setup-error")?.textContent).toBe("The two passphrases differ: type the same passphrase twice.");
    expect(created).toBeNull();
    setInput(root, "setup-passphrase-again", "a long passphrase");
    submit(root, "setup-form");
    await flush();
    expect(created).toEqual({ org_name: "Initech GmbH", admin: "alice", passphrase: "a long passphrase", password: "pw pw pw pw pw" });
    expect(root.dataset.screen).toBe("queue");
    expect(root.querySelector("#current-user")?.textContent).toBe("alice (admin)");
  });

  it("shows the core's refusal of a login with its code", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return status(true, null);
      if (cmd === "login") throw { code: "authentication_failed", message: "wrong user name or password" };
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    setInput(root, "login-user", "carol");
    setInput(root, "login-password", "nope");
    submit(root, "login-form");
    await flush();
    // Worded by its code, the core's particulars after it; the code itself is not shown.
    expect(root.querySelector("#login-error .error-text")?.textContent).toMatch(/^Sign-in refused/);
    expect(root.querySelector("#login-error")?.textContent).toContain("wrong user name or password");
    expect(root.querySelector("#login-error")?.textContent).not.toContain("authentication_failed");
    expect(root.querySelector("#login-error")?.getAttribute("data-code")).toBe("authentication_failed");
  });

  it("lists cases, opens one with its findings and the changed characters, and shows the core's refusals", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      switch (cmd) {
        case "app_info":
          return { name: "Countersign", version: "1" };
        case "workspace_status":
          return status(true, userOf("carol", "clerk"));
        case "case_page":
          return { cases: [holdCase.summary], next: null };
        case "work_queue":
          return queueOf("call_back", [holdCase.summary]);
        case "case_detail":
          return holdCase;
        case "start_callback":
          return { challenge: "4821 0937", partner: "Globex Corporation", on_file_numbers: holdCase.on_file_numbers, payee: "Globex Corporation", account_last4: "5432", amount: "48200.00 EUR" };
        case "record_callback":
          throw { code: "check_failed", message: "the response does not match the challenge" };
        case "approve_case":
          throw { code: "not_permitted", message: "only an approver can approve" };
        default:
          throw new Error(cmd);
      }
    });
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    expect(root.dataset.screen).toBe("queue");
    expect(root.querySelector("#queue-call_back tbody tr")?.getAttribute("data-case-id")).toBe("2");
    expect(root.querySelector("#queue-count")?.textContent).toBe("1");
    // The landing screen's queue also gives the navigation's count: asked once (issue 19's queue
    // after sign-in waited for a second, identical question).
    expect(calls.filter(([cmd]) => cmd === "work_queue")).toHaveLength(1);
    root.querySelector<HTMLButtonElement>("#nav-inbox")!.click();
    await flush();
    expect(root.dataset.screen).toBe("inbox");
    expect(root.querySelector("#current-user")?.textContent).toBe("carol (clerk)");
    const rows = root.querySelectorAll("#cases tbody tr");
    expect(rows.length).toBe(1);
    expect(rows[0].textContent).toContain("Globex Corporation");
    expect(rows[0].textContent).toContain("€48,200.00");

    root.querySelector<HTMLButtonElement>(".open-case")!.click();
    await flush();
    expect(root.dataset.screen).toBe("case");
    const finding = root.querySelector("#findings li")!;
    expect(finding.getAttribute("data-code")).toBe("bank_details_changed");
    // In words by its code, with the values it names; the core's English sentence beside it.
    expect(finding.querySelector(".message")?.textContent).toBe("The bank account differs from the one on file.");
    expect(finding.querySelector(".finding-values")?.textContent).toBe("on fileDE89 3704 0044 0532 0130 00in this instructionGB82 WEST 1234 5698 7654 32");
    expect(finding.textContent).toContain("The account differs from the one on file.");
    expect(root.querySelectorAll("#account-new mark.changed").length).toBeGreaterThan(0);
    expect(root.querySelector("#account-current")?.textContent).toContain("DE89 3704");
    expect(root.querySelector("#account-since")?.textContent).toBe("the partner's current account since 2 Nov 2025, 09:00");
    // The order a clerk decides in: the bar (verdict, the action first), the accounts, the
    // findings, the evidence and the timeline in words.
    const order = [...root.querySelectorAll("#content > .screen > section")].map((s) => s.id || s.getAttribute("aria-labelledby"));
    expect(order).toEqual(["case-bar", "callback-area", "account-title", "findings-title", "email-evidence", "name-check-evidence", "timeline-title", "facts-title"]);
    expect(root.querySelector("#case-bar #case-verdict")?.textContent).toBe("hold");
    expect(root.querySelector("#case-bar #case-actions")?.firstElementChild?.id).toBe("start-callback");
    expect(root.querySelector("#timeline li")?.textContent).toBe("1 Jan 2026, 00:00 carol received the instruction");
    // The core offers a clerk the callback on a held case, and nothing else.
    expect(["#start-callback", "#approve", "#release-form", "#reject-form", "#reopen"].map((id) => root.querySelector(id) !== null)).toEqual([true, false, false, false, false]);

    root.querySelector<HTMLButtonElement>("#start-callback")!.click();
    await flush();
    expect(root.querySelector<HTMLElement>("#start-callback")!.hidden).toBe(true);
    expect(root.querySelector("#callback-challenge")?.textContent).toBe("4821 0937");
    expect(root.querySelector("#callback-why")?.textContent).toMatch(/Never use a number from the request/);
    // The numbers on file are the only choices; nothing is typed and nothing is chosen beforehand.
    const numbers = [...root.querySelectorAll<HTMLInputElement>("#callback-numbers input[type=radio]")];
    expect(numbers.map((n) => n.value)).toEqual(["+49 30 123456"]);
    // Each with its label and where it came from (issue 20): how, by whom, approved by whom, when.
    expect(root.querySelector("#callback-numbers label")?.textContent).toBe(
      "+49 30 123456 · Accounts receivable (typed at onboarding by alice (contract or onboarding call), approved by dave, on 1 Oct 2025)",
    );
    // The numbers the core withholds for this case are shown apart, not offered, each with why.
    const withheld = [...root.querySelectorAll<HTMLElement>("#callback-withheld li")];
    expect(withheld.map((li) => [li.dataset.e164, li.dataset.withheld])).toEqual([
      ["+442079460958", "in_email"],
      ["+4930765432", "added_after_instruction"],
    ]);
    expect(withheld[0].querySelector(".phone-provenance")?.textContent).toBe(" (from the partner's signed card, taken by alice, approved by dave, on 1 Oct 2025)");
    expect(withheld[0].querySelector(".withheld-reason")?.textContent).toMatch(/appears in the email that came with this instruction/);
    expect(withheld[1].querySelector(".withheld-reason")?.textContent).toMatch(/put on file after this instruction arrived/);
    expect(withheld[1].textContent).toContain("added later by alice's change, approved by erin");
    expect(root.querySelector("#callback-withheld input")).toBeNull();
    expect(root.querySelector("#callback-numbers input[type=tel], #callback-numbers input[type=text]")).toBeNull();
    expect(root.querySelectorAll("#callback-form input[type=radio]:checked").length).toBe(0);
    setInput(root, "callback-reached", "Greta");
    setInput(root, "callback-response", "1111 1111");
    submit(root, "callback-form");
    await flush();
    expect(root.querySelector("#callback-incomplete")?.textContent).toBe("Choose the number on file you dialled.");
    numbers[0].checked = true;
    submit(root, "callback-form");
    await flush();
    expect(root.querySelector("#callback-incomplete")?.textContent).toBe("Choose what happened on the call.");
    expect(calls.some(([c]) => c === "record_callback")).toBe(false);
    root.querySelector<HTMLInputElement>("#callback-outcome-confirmed")!.checked = true;
    submit(root, "callback-form");
    await flush();
    expect(root.querySelector("#callback-error")?.textContent).toContain("does not match");
    expect(root.querySelector("#callback-again")).not.toBeNull();
    const recorded = calls.find(([c]) => c === "record_callback")![1] as { request: Record<string, unknown> };
    expect(recorded.request).toMatchObject({ case_id: 2, dialed: "+49 30 123456", reached: "Greta", response: "1111 1111", outcome: "confirmed" });
    const started = calls.filter(([c]) => c === "start_callback").length;
    root.querySelector<HTMLButtonElement>("#callback-renew")!.click();
    await flush();
    expect(calls.filter(([c]) => c === "start_callback").length).toBe(started + 1);
    expect(root.querySelector("#callback-voided")?.textContent).toContain("4821 0937");
  });

  it("shows the email's findings apart, in an Email evidence panel with the email's SHA-256", async () => {
    const withEmail: CaseView = {
      ...holdCase,
      findings: [
        ...holdCase.findings,
        { code: "email_lookalike_domain", severity: "critical", message: "Replies would go to a look-alike of the partner's domain.", values: {} },
      ],
      email_sha256: "ab".repeat(32),
    };
    mockIPC((cmd) => {
      switch (cmd) {
        case "app_info":
          return { name: "Countersign", version: "1" };
        case "workspace_status":
          return status(true, userOf("carol", "clerk"));
        case "case_page":
          return { cases: [holdCase.summary], next: null };
        case "work_queue":
          return queueOf("call_back", [holdCase.summary]);
        case "case_detail":
          return withEmail;
        default:
          throw new Error(cmd);
      }
    });
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    root.querySelector<HTMLButtonElement>(".open-case")!.click();
    await flush();
    expect([...root.querySelectorAll("#findings li")].map((li) => li.getAttribute("data-code"))).toEqual(["bank_details_changed"]);
    const email = root.querySelector("#email-evidence")!;
    expect(email.querySelector("h3")?.textContent).toBe("Email evidence");
    const finding = email.querySelector("#email-findings li")!;
    expect(finding.getAttribute("data-severity")).toBe("critical");
    expect(finding.textContent).toContain("look-alike");
    expect(email.querySelector("#email-sha256")?.textContent).toBe("ab".repeat(32));
  });

  it("adds chosen files to the inbox form, receives them and shows each verdict", async () => {
    let sent: unknown = null;
    mockIPC((cmd, args) => {
      switch (cmd) {
        case "app_info":
          return { name: "Countersign", version: "1" };
        case "workspace_status":
          return status(true, userOf("carol", "clerk"));
        case "case_page":
          return { cases: sent ? [holdCase.summary] : [], next: null };
        case "work_queue":
          return queueOf();
        case "watch_drops":
          return null;
        case "pick_files":
          return ["/in/a.json", "/in/b.json", "/in/message.EML"];
        case "receive_files":
          sent = (args as { paths: string[] }).paths;
          return [
            {
              file_name: "a.json",
              verdict: "hold",
              case_id: 2,
              partner: "Globex Corporation",
              findings: [...holdCase.findings, { code: "email_dmarc_fail", severity: "warning", message: "The sender's domain did not pass DMARC.", values: {} }],
            },
            { file_name: "b.json", verdict: "rejected", case_id: 3, partner: null, findings: [] },
          ];
        default:
          throw new Error(cmd);
      }
    });
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    root.querySelector<HTMLButtonElement>("#nav-inbox")!.click();
    await flush();
    root.querySelector<HTMLButtonElement>("#pick-files")!.click();
    await flush();
    expect(root.querySelector<HTMLTextAreaElement>("#receive-paths")!.value).toBe("/in/a.json\n/in/b.json\n/in/message.EML");
    expect(root.querySelector("#receive-results")?.textContent).toContain("2 files and 1 email added");
    submit(root, "receive-form");
    await flush();
    expect(sent).toEqual(["/in/a.json", "/in/b.json", "/in/message.EML"]);
    const verdicts = [...root.querySelectorAll("#receive-results li[data-verdict]")].map((li) => li.getAttribute("data-verdict"));
    expect(verdicts).toEqual(["hold", "rejected"]);
    const codes = [...root.querySelectorAll("#receive-results .received-findings li")].map((li) => li.getAttribute("data-code"));
    expect(codes).toEqual(["bank_details_changed", "email_dmarc_fail"]);
    // Worded by their codes, as on the case page; the core's English sentence is the detail.
    const first = root.querySelector("#receive-results .received-findings li")!;
    expect(first.querySelector(".message")?.textContent).toBe("The bank account differs from the one on file.");
    expect(first.querySelector(".finding-detail")?.textContent).toBe(holdCase.findings[0].message);
    expect(root.querySelectorAll("#cases tbody tr").length).toBe(1);
  });

  it("an approver approves and releases with the EPC QR drawn on screen", async () => {
    let current: CaseView = { ...holdCase, summary: { ...holdCase.summary, status: "callback_confirmed" }, next_steps: ["approve", "reject"] };
    const calls: string[] = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      switch (cmd) {
        case "app_info":
          return { name: "Countersign", version: "1" };
        case "workspace_status":
          return status(true, userOf("erin", "approver"));
        case "case_page":
          expect((args as { request: { status: string | null } }).request.status).toBe("callback_confirmed");
          return { cases: [current.summary], next: null };
        case "work_queue":
          return queueOf("approve", [current.summary]);
        case "case_detail":
          return current;
        case "approve_case":
          current = { ...current, summary: { ...current.summary, status: "approved" }, next_steps: ["release", "reject"] };
          return "approved";
        case "release_case":
          expect((args as { format: string }).format).toBe("epc_qr");
          current = { ...current, summary: { ...current.summary, status: "released" }, next_steps: ["export_bank_file"] };
          return { summary: current.summary, saved_to: null, qr: { width: 2, dark: [true, false, false, true], payload: "BCD\n002" } };
        default:
          throw new Error(cmd);
      }
    });
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    root.querySelector<HTMLButtonElement>("#nav-approvals")!.click();
    await flush();
    root.querySelector<HTMLButtonElement>(".open-case")!.click();
    await flush();
    root.querySelector<HTMLButtonElement>("#approve")!.click();
    await flush();
    expect(root.querySelector("#case-notice")?.textContent).toBe("Case #2 approved by erin.");
    expect(root.querySelector("#case-status")?.textContent).toBe("approved");
    setInput(root, "release-format", "epc_qr");
    submit(root, "release-form");
    await flush();
    expect(root.querySelector("#case-status")?.textContent).toBe("released");
    expect(root.querySelector("#release-qr path")?.getAttribute("d")).toBe("M4 4h1v1h-1zM5 5h1v1h-1z");
    expect(calls).toContain("release_case");
  });

  it("switches the sign-in screen to Turkish and Spanish, keeping the user name typed", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return status(true, null);
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    const picker = () => root.querySelector<HTMLSelectElement>("#language")!;
    const heading = () => root.querySelector("#login-title")?.textContent;
    expect([...picker().options].map((o) => o.textContent)).toEqual(["English", "Türkçe", "Español"]);
    expect(picker().value).toBe("en");
    expect(heading()).toBe("Sign in to Initech GmbH");
    setInput(root, "login-user", "carol");
    setInput(root, "login-password", "secret typed");

    const choose = async (code: string) => {
      picker().value = code;
      picker().dispatchEvent(new Event("change"));
      await flush();
    };
    await choose("tr");
    expect(root.dataset.screen).toBe("login");
    expect(heading()).toBe("Oturum açın: Initech GmbH");
    expect(root.querySelector("label[for=login-password]")?.textContent).toBe("Parola");
    expect(root.querySelector("#login-submit")?.textContent).toBe("Oturum aç");
    expect(root.querySelector("#app-tagline")?.textContent).toContain("dolandırıcılığının");
    expect(picker().value).toBe("tr");
    expect(locale()).toBe("tr");
    expect(localStorage.getItem("countersign.locale")).toBe("tr");
    expect(document.documentElement.lang).toBe("tr");
    expect(root.querySelector<HTMLInputElement>("#login-user")?.value).toBe("carol");
    expect(root.querySelector<HTMLInputElement>("#login-password")?.value).toBe("");

    await choose("es");
    expect(heading()).toBe("Iniciar sesión en Initech GmbH");
    expect(root.querySelector("#login-submit")?.textContent).toBe("Iniciar sesión");
    expect(root.querySelector("label[for=language]")?.textContent).toBe("Idioma");

    // A new start (the app reopened) comes up in the language chosen last.
    const again = document.createElement("main");
    await renderApp(again);
    expect(again.querySelector("#login-title")?.textContent).toBe("Iniciar sesión en Initech GmbH");
    expect(again.querySelector<HTMLSelectElement>("#language")?.value).toBe("es");
  });

  it("re-opens the case that was open in the new language, with its amount and times in that locale", async () => {
    mockIPC((cmd) => {
      switch (cmd) {
        case "app_info":
          return { name: "Countersign", version: "1" };
        case "workspace_status":
          return status(true, userOf("carol", "clerk"));
        case "case_page":
          return { cases: [holdCase.summary], next: null };
        case "work_queue":
          return queueOf("call_back", [holdCase.summary]);
        case "case_detail":
          return holdCase;
        default:
          throw new Error(cmd);
      }
    });
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    root.querySelector<HTMLButtonElement>("#nav-inbox")!.click();
    await flush();
    expect(root.querySelector("#cases thead")?.textContent).toBe("CaseVerdictPartnerPayeeAmountAgeStatus");
    root.querySelector<HTMLButtonElement>(".open-case")!.click();
    await flush();
    expect(root.querySelector("#case-title")?.textContent).toBe("Case #2: hold");
    expect(root.querySelector("#case-amount")?.textContent).toBe("€48,200.00");

    const picker = root.querySelector<HTMLSelectElement>("#language")!;
    picker.value = "es";
    picker.dispatchEvent(new Event("change"));
    await flush();
    expect(root.dataset.screen).toBe("case");
    expect(root.querySelector("#case-title")?.textContent).toBe("Caso #2: retenido");
    expect(root.querySelector("#case-amount")?.textContent).toBe("48.200,00\u00a0€");
    expect(root.querySelector("#case-verdict")?.textContent).toBe("retención");
    expect(root.querySelector("#findings .severity")?.textContent).toBe("advertencia");
    expect(root.querySelector("#timeline time")?.textContent).toMatch(/^1 ene 2026, /);
    expect(root.querySelector("#nav-inbox")?.textContent).toBe("Todos los casos");
    expect(root.querySelector("#current-user")?.textContent).toBe("carol (auxiliar contable)");
    expect(root.querySelector("#start-callback")?.textContent).toBe("Llamar al socio para verificar…");

    root.querySelector<HTMLSelectElement>("#language")!.value = "tr";
    root.querySelector<HTMLSelectElement>("#language")!.dispatchEvent(new Event("change"));
    await flush();
    expect(root.querySelector("#case-title")?.textContent).toBe("Vaka #2: beklemede");
    // Opened again on its own (nowhere it came from in this rendering): back goes to All cases.
    root.querySelector<HTMLButtonElement>("#case-back")!.click();
    await flush();
    expect(root.dataset.screen).toBe("inbox");
    expect(root.querySelector("#cases thead")?.textContent).toBe("VakaKararİş ortağıAlacaklıTutarSüreDurum");
    expect(root.querySelector("#cases tbody .status")?.textContent).toBe("beklemede");
    expect(root.querySelector("#case-count")?.textContent).toBe("1 vaka");
  });

  it("says the account on file is this case's own once another case made it current, and since when", async () => {
    const sameNow: CaseView = {
      ...holdCase,
      on_file_account: { ...holdCase.on_file_account!, display: "GB82 WEST 1234 5698 7654 32", bic: "WESTGB2L", became_current_at: "2026-01-05T10:00:00Z" },
      pays_account_on_file: true,
    };
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return status(true, userOf("carol", "clerk"));
      if (cmd === "case_detail") return sameNow;
      if (cmd === "work_queue") return queueOf();
      return null;
    });
    const root = document.createElement("main");
    await renderApp(root, { reopen: (shell) => shell.openCase(2) });
    await flush();
    expect(root.querySelector("#account-current")?.textContent).toBe("the same account as in this instruction");
    expect(root.querySelector("#account-current")?.getAttribute("data-same")).toBe("true");
    expect(root.querySelector("#account-since")?.textContent).toBe("the partner's current account since 5 Jan 2026, 10:00");
    expect(root.querySelectorAll("#account-new mark").length).toBe(0);
  });

  it("words a case in Turkish: findings, events and refusals by their codes, the core's English only under Details", async () => {
    setLocale("tr");
    const refusedCase: CaseView = {
      ...holdCase,
      timeline: [
        ...holdCase.timeline,
        { at: "2026-01-02T00:00:00Z", actor: "carol", action: "case.callback_refused", details: JSON.stringify({ dialed: "+442079460018", refused: "not_permitted", reason: "not on file" }) },
      ],
    };
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return status(true, userOf("carol", "clerk"));
      if (cmd === "case_detail") return refusedCase;
      if (cmd === "work_queue") return queueOf();
      return null;
    });
    const root = document.createElement("main");
    await renderApp(root, { reopen: (shell) => shell.openCase(2) });
    await flush();
    expect(root.querySelector("#findings .message")?.textContent).toBe("Banka hesabı kayıtlı olandan farklı.");
    expect(root.querySelector("#findings details summary")?.textContent).toBe("İngilizce");
    const events = [...root.querySelectorAll("#timeline li .event")].map((e) => e.textContent);
    expect(events).toEqual(["carol: talimatı aldı", "carol: kayıtlı olmayan bir numara reddedildi"]);
    expect(root.querySelector("#timeline li:last-child .event-details")?.textContent).toContain("reddetme nedeni: İzin verilmedi");
    // Nothing English from the core outside the collapsed details: no code, no core sentence.
    const visible = [...root.querySelectorAll("#content section")].map((s) => {
      const copy = s.cloneNode(true) as HTMLElement;
      copy.querySelectorAll("details").forEach((d) => d.remove());
      return copy.textContent ?? "";
    });
    expect(visible.join(" ")).not.toMatch(/instruction\.receive|case\.callback|not_permitted|bank_details_changed|differs from the one on file|not on file/);
  });

  it("Switch user keeps the window: a refused sign-in keeps the clerk, the approver gets the open case with their own steps", async () => {
    let user = userOf("carol", "clerk");
    const switches: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return status(true, user);
      if (cmd === "work_queue") return queueOf();
      if (cmd === "workspace_mode") return { setup: false, checkers: ["alice", "erin"] };
      if (cmd === "list_changes") return [];
      if (cmd === "case_detail") return user.name === "erin" ? { ...holdCase, summary: { ...holdCase.summary, status: "callback_confirmed" }, next_steps: ["approve", "reject"] } : holdCase;
      if (cmd === "logout") throw new Error("Switch user must not sign out");
      if (cmd === "switch_user") {
        const request = (args as { request: { user: string; password: string } }).request;
        switches.push(request);
        if (request.password !== "erin's password") throw { code: "authentication_failed", message: "wrong user name or password" };
        user = userOf("erin", "approver");
        return user;
      }
      return null;
    });
    const root = document.createElement("main");
    document.body.append(root);
    try {
      await renderApp(root, { reopen: (shell) => shell.openCase(2) });
      await flush();
      expect(root.querySelector("#start-callback")).not.toBeNull();
      root.querySelector<HTMLButtonElement>("#switch-user")!.click();
      const dialog = root.querySelector<HTMLElement>("#switch-user[role=dialog]")!;
      expect(dialog).not.toBeNull();
      // The case stays on screen behind the form.
      expect(root.querySelector("#case-title")?.textContent).toContain("Case #2");
      setInput(root, "switch-user-name", "erin");
      setInput(root, "switch-password", "wrong");
      submit(root, "switch-form");
      await flush();
      expect(root.querySelector("#switch-error")?.getAttribute("data-code")).toBe("authentication_failed");
      expect(root.querySelector<HTMLInputElement>("#switch-password")?.value).toBe("");
      expect(root.querySelector("#current-user")?.textContent).toBe("carol (clerk)");
      setInput(root, "switch-password", "erin's password");
      submit(root, "switch-form");
      await flush();
      expect(switches).toEqual([
        { user: "erin", password: "wrong", totp: null },
        { user: "erin", password: "erin's password", totp: null },
      ]);
      expect(root.querySelector("#switch-user[role=dialog]")).toBeNull();
      expect(root.querySelector("#current-user")?.textContent).toBe("erin (approver)");
      expect(root.dataset.screen).toBe("case");
      expect(root.querySelector("#case-title")?.textContent).toContain("Case #2");
      // The core decided again for erin: she may approve; the clerk's callback is gone.
      expect(root.querySelector("#approve")).not.toBeNull();
      expect(root.querySelector("#start-callback")).toBeNull();
    } finally {
      root.remove();
    }
  });
});
