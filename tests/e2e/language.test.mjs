// The language picker in the real app, on the demo workspace run.sh builds: the sign-in screen
// switches to Turkish and to Spanish without a restart, a signed-in screen re-renders in place
// with amounts formatted for the locale, errors (the email's size, a file gone, a folder given for
// a file) and the email's findings are worded in Turkish with their particulars, and the choice is kept across a reload and a restart.
// Ends in English again, so the tests that run after this one find the app as it starts.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By, Key, until } from "selenium-webdriver";
import { OUT_DIR, mainScreen, openApp, screenshot, session } from "./app.mjs";

const DEMO = process.env.E2E_DEMO_DIR;

describe("the language picker", { timeout: 300_000 }, () => {
  let driver;
  const { byId, click, retry, textOf, screen } = session(() => driver);

  /** Chooses a language the way a person does: opens the picker and clicks the option. */
  const choose = async (code) => {
    await retry(async () => (await driver.findElement(By.css(`#language option[value="${code}"]`))).click());
    await driver.wait(async () => (await driver.executeScript("return document.documentElement.lang")) === code, 20_000, `lang ${code}`);
  };
  /** Quits and starts the app again, after giving WebKit time to write local storage to disk. */
  const restart = async () => {
    await new Promise((r) => setTimeout(r, 2_000));
    await driver.quit();
    driver = await openApp();
  };
  const waitText = async (id, expected) => {
    await driver.wait(async () => {
      try {
        const text = await textOf(id);
        return expected instanceof RegExp ? expected.test(text) : text === expected;
      } catch {
        return false;
      }
    }, 20_000, `#${id} to read ${expected}`);
    return textOf(id);
  };

  before(async () => {
    driver = await openApp();
  });

  after(async () => {
    // Leave the app in English for whatever runs next, even when a test above failed.
    if (driver) {
      await driver.executeScript("localStorage.setItem('countersign.locale', 'en')").catch(() => undefined);
      await new Promise((r) => setTimeout(r, 2_000));
      await driver.quit();
    }
  });

  it("switches the sign-in screen to Turkish and to Spanish without a restart", async () => {
    await screen("login");
    assert.equal(await (await byId("language")).getAttribute("value"), "en");
    const options = await driver.findElements(By.css("#language option"));
    assert.deepEqual(await Promise.all(options.map((o) => o.getText())), ["English", "Türkçe", "Español"]);
    assert.match(await textOf("login-title"), /^Sign in to /);
    const org = (await textOf("login-title")).replace(/^Sign in to /, "");

    await choose("tr");
    assert.equal(await waitText("login-title", `Oturum açın: ${org}`), `Oturum açın: ${org}`);
    assert.equal(await textOf("login-submit"), "Oturum aç");
    assert.equal(await (await byId("language")).getAttribute("value"), "tr");
    await screenshot(driver, "language-1-login-tr");

    await choose("es");
    assert.equal(await waitText("login-title", `Iniciar sesión en ${org}`), `Iniciar sesión en ${org}`);
    assert.equal(await textOf("login-submit"), "Iniciar sesión");
    assert.match(await textOf("app-tagline"), /suplantación/);
    await screenshot(driver, "language-2-login-es");
  });

  it("signs in in Spanish and re-renders the inbox in Turkish in place, amounts in the locale's format", async () => {
    await retry(async () => {
      const user = await byId("login-user");
      await user.clear();
      await user.sendKeys("dave");
    });
    await retry(async () => (await byId("login-password")).sendKeys("TEST-ONLY dave demo", Key.ENTER));
    await screen("queue");
    // The entry's label (its count of waiting cases beside it is a number in any language).
    assert.equal(await retry(async () => (await driver.findElement(By.css("#nav-queue .nav-label"))).getText()), "Mi trabajo");
    await click("nav-inbox");
    await screen("inbox");
    assert.equal(await waitText("cases-title", "Casos"), "Casos");
    assert.equal(await textOf("nav-inbox"), "Todos los casos");
    await driver.wait(async () => (await driver.findElements(By.css("#cases tbody tr"))).length > 0, 20_000, "the demo's cases");
    // Read as the page renders them (innerText): WebDriver's text of a cell that clips its overflow
    // (the list's cells end long text in an ellipsis) comes back empty.
    const amounts = await driver.executeScript("return [...document.querySelectorAll('#cases tbody td.num')].map((td) => td.innerText);");
    const shown = amounts.filter(Boolean);
    assert.ok(shown.length > 0, "the demo's cases have amounts");
    // Spanish: a comma before the cents and the currency after the number ("48.200,00 €").
    for (const amount of shown) assert.match(amount, /^\d{1,3}(\.?\d{3})*,\d{2}\s\S+$/u, amount);

    await choose("tr");
    await screen("inbox");
    assert.equal(await waitText("cases-title", "Vakalar"), "Vakalar");
    assert.equal(await textOf("nav-inbox"), "Tüm vakalar");
    assert.equal(await textOf("receive-submit"), "Teslim al");
    await screenshot(driver, "language-3-inbox-tr");
    await mainScreen(driver, "inbox-turkish");

    // An error that names a particular (the email's size limit) is worded in Turkish with it; the
    // core's English sentence stays folded away under "Ayrıntılar". Nothing is received.
    assert.ok(DEMO, "run.sh sets E2E_DEMO_DIR");
    const bigEmail = path.join(OUT_DIR, "language-too-large.eml");
    fs.writeFileSync(bigEmail, `From: hank@globex.com\r\nSubject: big\r\n\r\n${"x".repeat(10 * 1024 * 1024 + 1)}`);
    // One path a line (WebDriver's typing leaves the line break out of a textarea here).
    const paths = [path.join(DEMO, "inbox/acme-inv-0098.json"), bigEmail].join("\n");
    await driver.executeScript("const f = document.getElementById('receive-paths'); f.value = arguments[0]; f.dispatchEvent(new Event('input'))", paths);
    await click("receive-submit");
    const refusal = await byId("receive-error");
    assert.equal(await refusal.getAttribute("data-code"), "file_too_large");
    assert.equal(await waitText("receive-error", /^E-posta 10 MiB'tan büyük/), await refusal.getText());
    const headline = await refusal.findElement(By.css(".error-text")).getText();
    assert.doesNotMatch(headline, /email is larger|attach the single/, "no English in the sentence");
    assert.equal(await refusal.findElement(By.css("details")).getAttribute("open"), null, "the English sentence folded away");
    await screenshot(driver, "language-3-error-tr");
    fs.rmSync(bigEmail);
    // The app's own file errors too (issue 19): a file gone since it was chosen, named by its name,
    // and a folder given for a file; in Turkish, with no English but under "Ayrıntılar".
    const gone = path.join(OUT_DIR, "globex-gone.json");
    const receive = async (value) => {
      await driver.executeScript("const f = document.getElementById('receive-paths'); f.value = arguments[0]; f.dispatchEvent(new Event('input'))", value);
      await click("receive-submit");
    };
    await receive(gone);
    assert.equal(await waitText("receive-error", /^globex-gone\.json dosyası okunamıyor/), await (await byId("receive-error")).getText());
    assert.equal(await (await byId("receive-error")).getAttribute("data-code"), "file_unreadable");
    await screenshot(driver, "language-3-file-error-tr");
    await receive(OUT_DIR);
    const folder = path.basename(OUT_DIR).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await waitText("receive-error", new RegExp(`^${folder} bir dosya değil: klasör değil, bir dosya seçin ya da bırakın\\.`));
    const fileHeadline = await (await byId("receive-error")).findElement(By.css(".error-text")).getText();
    assert.doesNotMatch(fileHeadline, /cannot read|not a regular file|give the path/, "no English in the sentence");

    // The demo's held case in Turkish: findings, timeline and its events worded by their codes.
    await retry(async () => (await driver.findElement(By.css('#cases button[data-case-id="2"]'))).click());
    await screen("case");
    const finding = await driver.wait(until.elementLocated(By.css('#findings li[data-code="bank_details_changed"] .message')), 20_000);
    assert.equal(await finding.getText(), "Banka hesabı kayıtlı olandan farklı.");
    const events = await Promise.all((await driver.findElements(By.css("#timeline li .event"))).map((e) => e.getText()));
    assert.ok(events.some((e) => e.endsWith("talimatı aldı")), `timeline: ${events}`);
    assert.ok(!(await textOf("content")).includes("instruction.receive"), "no event code on screen");
    await screenshot(driver, "language-4-case-tr");
    // The email's findings in Turkish with their particulars as labelled facts, as the others.
    const emailFindings = await driver.findElements(By.css("#email-findings > li"));
    assert.ok(emailFindings.length > 0, "the demo's held case came with its email");
    for (const li of emailFindings) {
      const sentence = await li.findElement(By.css(".message")).getText();
      assert.doesNotMatch(sentence, /\b(The|the|email|from|domain)\b/, "worded by its code in Turkish");
      const labels = await Promise.all((await li.findElements(By.css(".finding-values dt"))).map((dt) => dt.getText()));
      assert.ok(labels.length > 0, `${sentence}: its values`);
    }
    await driver.executeScript("document.getElementById('email-evidence').scrollIntoView()");
    await screenshot(driver, "language-5-email-tr");
    await click("split-back");
    await screen("inbox");
  });

  it("keeps the choice across a reload and a restart", async () => {
    await driver.navigate().refresh();
    await screen("queue");
    await click("nav-inbox");
    await screen("inbox");
    assert.equal(await waitText("cases-title", "Vakalar"), "Vakalar");
    assert.equal(await (await byId("language")).getAttribute("value"), "tr");

    await choose("es");
    await waitText("cases-title", "Casos");
    await restart();
    await screen("login");
    assert.match(await waitText("login-title", /^Iniciar sesión en /), /^Iniciar sesión en /);
    assert.equal(await (await byId("language")).getAttribute("value"), "es");

    await choose("en");
    assert.match(await waitText("login-title", /^Sign in to /), /^Sign in to /);
    await screenshot(driver, "language-4-login-en");
    await mainScreen(driver, "login");
    // English is kept too: the tests after this one find the app in English.
    await restart();
    await screen("login");
    assert.match(await waitText("login-title", /^Sign in to /), /^Sign in to /);
    assert.equal(await (await byId("language")).getAttribute("value"), "en");
  });
});
