// The auditor's view in the real app, on the demo workspace run.sh builds: frank (auditor) signs
// in, verifies the log (intact, with the audit key the CLI reports), sees the chart of the demo's
// three verdicts, filters the log by action (the count the CLI's `audit log` gives), exports an
// evidence bundle that the CLI's `audit verify --bundle` accepts (exit 0), the same events as
// CSV, and a checkpoint that the CLI's `audit verify --against` accepts.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { By, Key, until } from "selenium-webdriver";
import { mainScreen, openApp, screenshot, session } from "./app.mjs";

const CLI = process.env.COUNTERSIGN_CLI;
const EXPORTS = process.env.COUNTERSIGN_EXPORT_DIR;

/** Runs the CLI as frank on the app's workspace (COUNTERSIGN_DATA_DIR); its JSON output. Throws on a non-zero exit. */
const cli = (...args) =>
  JSON.parse(execFileSync(CLI, ["--json", "--as", "frank", ...args], { encoding: "utf8", env: { ...process.env, COUNTERSIGN_PASSWORD: "TEST-ONLY frank demo" } }));

describe("auditor: verify, filter and export the log", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, textOf, click, type, screen, signIn } = session(() => driver);

  const attr = (id, name) => retry(async () => (await byId(id)).getAttribute(name));
  const logReady = () => driver.wait(async () => (await attr("audit-log", "data-state")) === "ready", 20_000, "the log loaded");
  /** The path a notice says a file was saved to. */
  const savedPath = async (id) => {
    const text = await driver.wait(async () => (await driver.findElements(By.id(id))).length > 0 && textOf(id), 30_000, id);
    const match = text.match(/saved to (\/\S+)\.(?:\s|$)/);
    assert.ok(match, `a path in: ${text}`);
    return match[1];
  };

  before(async () => {
    assert.ok(CLI && EXPORTS, "run.sh sets COUNTERSIGN_CLI and COUNTERSIGN_EXPORT_DIR");
    driver = await openApp();
  });

  after(async () => {
    await driver?.quit();
  });

  it("offers Audit to frank (auditor) and verifies the log as intact", async () => {
    await signIn("frank");
    await screen("queue");
    assert.equal(await (await byId("queue-summary")).getAttribute("data-count"), "0", "nothing waits for an auditor");
    assert.equal((await driver.findElements(By.id("nav-settings"))).length, 0, "no settings for an auditor");
    await click("nav-audit");
    await screen("audit");
    await logReady();
    assert.equal(await attr("audit-result", "data-intact"), "unknown");

    await click("audit-verify");
    await driver.wait(async () => (await attr("audit-result", "data-intact")) !== "unknown", 30_000, "the check's answer");
    assert.equal(await attr("audit-result", "data-intact"), "true", await textOf("audit-result"));
    assert.match(await textOf("audit-result"), /^✓ The log is intact: \d+ events/);
    const expected = cli("audit", "verify");
    assert.equal(expected.intact, true);
    assert.equal(await textOf("audit-key"), expected.audit_keys[expected.audit_keys.length - 1]);

    // The demo's three receipts: one accepted, one held, one rejected, on the chart.
    for (const series of ["accepted", "hold", "rejected"]) {
      assert.equal(await retry(async () => (await driver.findElement(By.css(`[data-series-total="${series}"]`))).getText()), "1", series);
    }
    await screenshot(driver, "auditor-1-verified");
    await mainScreen(driver, "audit");
    await driver.executeScript("document.getElementById('audit-chart').scrollIntoView();");
    await mainScreen(driver, "audit-chart");
    await driver.executeScript("window.scrollTo(0, 0);");
  });

  it("filters the log by action", async () => {
    await type("filter-action", "instruction");
    await click("filter-apply");
    await driver.wait(async () => (await attr("audit-count", "data-total")) === String(cli("audit", "log", "--action", "instruction").length), 20_000, "the filtered count");
    await logReady();
    const actions = await Promise.all((await driver.findElements(By.css("#audit-table tbody tr"))).map((tr) => tr.getAttribute("data-action")));
    assert.ok(actions.length >= 3, `rows: ${actions}`);
    assert.ok(actions.every((a) => a.startsWith("instruction.")), `rows: ${actions}`);
    assert.match(await textOf("audit-count"), /^\d+ events\.$/);
  });

  it("shows an event beside the log, and Escape leaves the log as it was", async () => {
    const first = await driver.findElement(By.css("#audit-table tbody button[data-seq]"));
    const seq = await first.getAttribute("data-seq");
    await first.click();
    await driver.wait(until.elementLocated(By.css(`#audit-event[data-seq="${seq}"]`)), 10_000);
    assert.equal(await (await byId("split-audit")).getAttribute("data-detail"), "open");
    assert.equal(await textOf("audit-event-title"), `Event ${seq}`);
    await screenshot(driver, "auditor-2-event");
    await mainScreen(driver, "audit-event");
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await driver.wait(async () => (await (await byId("split-audit")).getAttribute("data-detail")) === "closed", 10_000);
    assert.equal(await (await byId("filter-action")).getAttribute("value"), "instruction", "the filter kept");
  });

  it("exports an evidence bundle the CLI verifies, and the same events as CSV", async () => {
    const total = Number(await attr("audit-count", "data-total"));
    await click("audit-export-bundle");
    const bundle = await savedPath("audit-export-notice");
    assert.ok(bundle.startsWith(EXPORTS), bundle);
    // Exits 0 only for an intact bundle (execFileSync throws otherwise).
    const checked = JSON.parse(execFileSync(CLI, ["--json", "audit", "verify", "--bundle", bundle], { encoding: "utf8" }));
    assert.equal(checked.intact, true);
    // The chosen events and, whatever the filter, the signed statements every signer's key and
    // role rest on (issue 14), which the CLI checked offline.
    assert.equal(checked.statements_checked, true);
    assert.ok(checked.events > total, `${checked.events} events in the bundle, ${total} chosen`);
    assert.equal(checked.organisation, "Initech GmbH");

    await click("audit-export-csv");
    await driver.wait(async () => (await textOf("audit-export-notice")).startsWith("CSV"), 30_000, "the CSV notice");
    const csv = readFileSync(await savedPath("audit-export-notice"), "utf8").trim().split("\n");
    assert.equal(csv[0], "seq,at,actor,action,subject,details,hash");
    assert.equal(csv.length - 1, total);
    assert.ok(csv.slice(1).every((row) => row.split(",")[3].startsWith("instruction.")), csv.join("\n"));
    await screenshot(driver, "auditor-2-exported");
  });

  it("saves a checkpoint that the CLI verifies the log against", async () => {
    await click("audit-checkpoint");
    const kept = await savedPath("audit-checkpoint-notice");
    const report = cli("audit", "verify", "--against", kept);
    assert.equal(report.intact, true);
    assert.ok(report.against.old_size > 0, JSON.stringify(report.against));
  });

  it("lets alice (admin) verify but not export a bundle; her settings screen", async () => {
    await click("switch-user");
    await signIn("alice");
    await screen("queue");
    await click("nav-audit");
    await screen("audit");
    await logReady();
    await click("audit-export-bundle");
    assert.equal(await attr("audit-export-error", "data-code"), "not_permitted");
    await click("audit-verify");
    await driver.wait(async () => (await attr("audit-result", "data-intact")) === "true", 30_000, "intact for alice too");

    await click("nav-settings");
    await screen("settings");
    await byId("users-table");
    await byId("policy-form");
    await mainScreen(driver, "settings");
  });
});
