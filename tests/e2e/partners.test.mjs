// The admin's partner work in the real app, on the demo workspace run.sh builds: onboarding a new
// partner whose card and keys the CLI makes here (the fingerprint typed as misheard on the phone
// is refused and nothing is pinned; read back right, the pinning is a pending change that dave
// approves, four eyes), accepting the partner's key-rotation statement (made with the CLI's
// `rotate`; the new key's fingerprint read back on a call to the number on file; approved by
// dave), and issuing our bank details to it (the file saved to COUNTERSIGN_EXPORT_DIR and checked
// with the CLI against our card).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By, until } from "selenium-webdriver";
import { OUT_DIR, mainScreen, openApp, screenshot, session } from "./app.mjs";

const DEMO = process.env.E2E_DEMO_DIR;
const CLI = process.env.COUNTERSIGN_CLI;
const WORK = path.join(OUT_DIR, "home/partners");
const KEY_PASSPHRASE = "TEST-ONLY hooli demo";

/** Runs the CLI with a TEST-ONLY key passphrase; its JSON output. */
const cli = (...args) =>
  JSON.parse(execFileSync(CLI, ["--json", ...args], { encoding: "utf8", env: { ...process.env, COUNTERSIGN_KEY_PASSPHRASE: KEY_PASSPHRASE } }));

describe("partners: onboarding, key rotation and an outgoing instruction", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, textOf, click, type, screen, signIn, switchUser, approveChange } = session(() => driver);
  let fingerprint;
  let newFingerprint;
  let recoveryFingerprint;

  const step = (name) =>
    driver.wait(async () => {
      try {
        return (await (await driver.findElement(By.id("onboard"))).getAttribute("data-step")) === name;
      } catch {
        return false;
      }
    }, 20_000, `onboarding step ${name}`);
  const keyStatuses = () =>
    retry(async () => Promise.all((await driver.findElements(By.css("#partner-keys li"))).map((li) => li.getAttribute("data-status"))));

  before(async () => {
    assert.ok(DEMO && CLI, "run.sh sets E2E_DEMO_DIR and COUNTERSIGN_CLI");
    // The partner's side, made with the CLI: a key and card, then a new key and the statement
    // signed by the first one naming it.
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    fingerprint = cli("keygen", "--name", "Hooli Ltd", "--country", "GB", "--domain", "hooli.example", "--out", path.join(WORK, "hooli")).fingerprint;
    // Issue 20: the new key's card names an offline recovery key, which the rotation pins.
    recoveryFingerprint = cli("keygen", "--recovery", "--name", "Hooli Ltd", "--out", path.join(WORK, "hooli-recovery")).fingerprint;
    newFingerprint = cli(
      "keygen", "--name", "Hooli Ltd", "--country", "GB", "--recovery-key", path.join(WORK, "hooli-recovery.pub"), "--out", path.join(WORK, "hooli-2"),
    ).fingerprint;
    cli("rotate", "--key", path.join(WORK, "hooli.key"), "--new", path.join(WORK, "hooli-2.card"), "--out", path.join(WORK, "hooli-rotation.json"));
    driver = await openApp();
  });

  after(async () => {
    await driver?.quit();
  });

  /** Opens Hooli's page from the partner list. */
  const openHooli = async () => {
    await click("nav-partners");
    await screen("partners");
    const open = await retry(async () => {
      for (const button of await driver.findElements(By.css("#partners-table button[id^=partner-open-]"))) {
        if ((await button.getText()) === "Hooli Ltd") return button;
      }
      return null;
    });
    assert.ok(open, "Hooli Ltd is in the partner list");
    await open.click();
    await screen("partner");
    assert.equal(await textOf("partner-title"), "Hooli Ltd");
  };

  it("onboards a partner: a misheard fingerprint is refused and pins nothing, the right one is pinned once dave approves", async () => {
    await signIn("alice");
    await screen("queue");
    await click("nav-partners");
    await screen("partners");
    await byId("partners-table");
    await mainScreen(driver, "partners");
    await click("partner-onboard");
    await step("card");
    await type("onboard-card-path", path.join(WORK, "hooli.card"));
    await click("onboard-read");
    await step("fingerprint");
    assert.equal(await textOf("onboard-fingerprint"), fingerprint);
    assert.equal(await textOf("onboard-card-name"), "Hooli Ltd");
    const qrModules = Number(await retry(async () => (await driver.findElement(By.css("#onboard-qr path"))).getAttribute("data-modules")));
    assert.ok(qrModules > 100, `the QR code is drawn (${qrModules} modules)`);
    await screenshot(driver, "partners-1-fingerprint");
    await mainScreen(driver, "partner-onboarding");

    // Two digits swapped, as a mishearing on the phone gives.
    await click("onboard-next");
    await step("readback");
    const digits = fingerprint.replace(/\s/g, "");
    // Two different neighbours (the key is random: digits 10 and 11 may be equal).
    let at = 10;
    while (digits[at] === digits[at + 1]) at++;
    const misheard = digits.slice(0, at) + digits[at + 1] + digits[at] + digits.slice(at + 2);
    assert.notEqual(misheard, digits);
    await type("onboard-typed", misheard);
    await click("onboard-confirm");
    const error = await retry(async () => {
      const box = await byId("onboard-error");
      return { code: await box.getAttribute("data-code"), text: await box.getText() };
    });
    assert.equal(error.code, "check_failed");
    assert.match(error.text, /does not match the card/);
    assert.match(error.text, /nothing was pinned/);
    await screenshot(driver, "partners-2-misheard");

    await type("onboard-typed", fingerprint);
    await click("onboard-confirm");
    await step("details");
    await type("onboard-phones", "+44 20 7946 0000");
    await type("onboard-iban", "GB33 BUKB 2020 1555 5555 55");
    await type("onboard-bic", "BUKBGB22");
    await click("onboard-submit");
    await step("done");
    // Two people can check changes in the demo: the pinning waits for one who is not alice.
    const pending = await byId("onboard-pending");
    assert.match(await pending.getText(), /^Pending change \d+: Onboard Hooli Ltd .* waits for another approver or admin\./);
    const change = await pending.getAttribute("data-change-id");
    await switchUser("dave");
    await approveChange(change);
    await openHooli();
    assert.deepEqual(await keyStatuses(), ["active"]);
    const pinned = await retry(async () => (await driver.findElement(By.css('#partner-keys li[data-status="active"]'))).getAttribute("data-fingerprint"));
    assert.equal(pinned, fingerprint);
    assert.equal(await (await byId("partner-recovery-key")).getAttribute("data-recovery"), "none");
    assert.match(await textOf("partner-recovery-key"), /No recovery key: a stolen signing key could rotate/);
    assert.match(await textOf("partner-phones"), /\+44 20 7946 0000/);
    assert.match(await textOf("partner-accounts"), /GB33 BUKB/);
    await screenshot(driver, "partners-3-partner");
    await mainScreen(driver, "partner");
  });

  it("accepts the partner's key-rotation statement read back on a call: the old key retired, the new one active once dave approves", async () => {
    await switchUser("alice");
    await openHooli();
    await type("rotate-path", path.join(WORK, "hooli-rotation.json"));
    // The number dialled is chosen from the on-file numbers, never typed.
    const numbers = await retry(async () => Promise.all((await driver.findElements(By.css("#rotate-dialed option"))).map((o) => o.getAttribute("value"))));
    assert.deepEqual(numbers, ["+442079460000"]);
    await type("rotate-typed", newFingerprint);
    await click("rotate-submit");
    await driver.wait(until.elementLocated(By.id("partner-notice")), 20_000);
    const notice = await textOf("partner-notice");
    assert.match(notice, new RegExp(`^Pending change \\d+: Accept Hooli Ltd's new key ${newFingerprint}`));
    assert.deepEqual(await keyStatuses(), ["active"], "the old key stays current until approved");
    await switchUser("dave");
    await approveChange(notice.match(/Pending change (\d+)/)[1]);
    await openHooli();
    assert.deepEqual(await keyStatuses(), ["retired", "active"]);
    const active = await retry(async () => (await driver.findElement(By.css('#partner-keys li[data-status="active"]'))).getAttribute("data-fingerprint"));
    assert.equal(active, newFingerprint);
    // Issue 20: the new card's recovery key is pinned and shown with its fingerprint.
    assert.equal(await (await byId("partner-recovery-key")).getAttribute("data-recovery"), "pinned");
    assert.equal(await (await byId("partner-recovery-fingerprint")).getAttribute("aria-label"), recoveryFingerprint);
    await screenshot(driver, "partners-4-rotated");
  });

  it("issues our bank details to the partner: the code and its QR shown, the file saved and ours", async () => {
    await switchUser("alice");
    await openHooli();
    await click("partner-issue");
    await screen("issue");
    await type("issue-passphrase", "TEST-ONLY org demo");
    await click("issue-submit");
    const code = await textOf("issue-code");
    assert.match(code, /^\d[\d ]+\d$/);
    assert.equal(await (await byId("issue-passphrase")).getAttribute("value"), "", "the passphrase field is cleared");
    assert.ok(await (await byId("issue-qr")).isDisplayed());
    const saved = await textOf("issue-saved");
    assert.ok(existsSync(saved), `instruction at ${saved}`);
    // The partner's check: signed by our card's key, for the partner's new key, with the same code.
    const checked = spawnSync(CLI, ["--json", "verify", "--signer", path.join(DEMO, "org.card"), saved], { encoding: "utf8" });
    const report = JSON.parse(checked.stdout);
    assert.notEqual(report.verdict, "rejected", checked.stdout);
    assert.equal(report.confirmation_code, code);
    await screenshot(driver, "partners-5-issued");
  });
});
