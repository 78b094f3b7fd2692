// The case list of a workspace of 10,000 cases in the real app (issue 19): made by the generator
// `examples/scale_workspace.rs` (about half a minute in a debug build), opened with --data-dir.
// alice searches "#155" and opens it, finds a case by its IBAN typed without spaces and one by its
// amount as the app displays it, then scrolls the list to its end: every case is reached, a page at
// a time, and the DOM holds only the rows in view throughout.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By, Key } from "selenium-webdriver";
import { makeScaleWorkspace, openApp, SCALE_DIR, screenshot, session } from "./app.mjs";

describe("10,000 cases: search, open and scroll to the end", { timeout: 900_000 }, () => {
  let driver;
  let facts;
  const { byId, retry, soon, textOf, click, type, screen, signIn } = session(() => driver);

  /** The case numbers of the rows in the DOM, top to bottom. */
  const rows = () =>
    driver.executeScript("return [...document.querySelectorAll('#cases tbody tr[data-row]')].map((r) => Number(r.dataset.caseId));");
  /** Types `text` into the search and waits until the list shows exactly `ids`. */
  const searchFor = async (text, ids) => {
    await type("search", text);
    await driver.wait(soon(async () => JSON.stringify(await rows()) === JSON.stringify(ids)), 20_000, `${text} finds ${ids}`);
  };

  before(async () => {
    facts = makeScaleWorkspace();
    driver = await openApp({ args: ["--data-dir", path.join(SCALE_DIR, "workspace")] });
  });

  after(async () => {
    await driver?.quit();
  });

  it("finds #155 among 10,000 cases and opens it", async () => {
    await signIn(facts.user);
    await screen("queue");
    // My work drawn in full first: a screen still loading draws over the next one opened (the
    // shell does not yet drop a screen's late answer).
    await byId("queue-summary");
    await click("nav-inbox");
    await screen("inbox");
    // Generous: signing in replays the log's 10,000 receipts, and a debug build on a busy machine is slow.
    await driver.wait(soon(async () => (await rows()).length > 0), 120_000, "the first page").catch(async (e) => {
      await screenshot(driver, "scale-no-first-page");
      throw e;
    });
    const first = await rows();
    assert.equal(first[0], facts.cases, "newest first");
    assert.ok(first.length < 100, `only the rows in view are drawn (${first.length})`);
    await searchFor(`#${facts.by_number}`, [facts.by_number]);
    await retry(async () => {
      const open = await driver.findElement(By.css(`#cases button.open-case[data-case-id="${facts.by_number}"]`));
      // Clicked from the page: in the list pane the list's own horizontal scroll bar can lie over
      // the row, which WebKitWebDriver then calls not interactable (a person's click lands).
      await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' }); arguments[0].click();", open);
    });
    await screen("case");
    assert.match(await textOf("case-title"), new RegExp(`\\b${facts.by_number}\\b`));
  });

  it("finds a case by its IBAN typed without spaces and one by its amount as displayed", async () => {
    await click("nav-inbox");
    await screen("inbox");
    await searchFor(facts.by_iban.iban, [facts.by_iban.case]);
    const displayed = new Intl.NumberFormat("en-GB", { style: "currency", currency: facts.by_amount.currency }).format(
      Number(facts.by_amount.amount),
    );
    await searchFor(displayed, [facts.by_amount.case]);
    const cell = await driver.findElement(By.css(`#cases tr[data-case-id="${facts.by_amount.case}"] td.num`));
    assert.equal((await cell.getAttribute("textContent")).trim(), displayed, "the amount searched for is the one shown");
    await screenshot(driver, "scale-search");
  });

  it("scrolls the whole list to its end, a page at a time, with few rows in the DOM", async () => {
    await type("search", "x");
    await (await byId("search")).sendKeys(Key.BACK_SPACE);
    await driver.wait(soon(async () => (await rows())[0] === facts.cases), 20_000, "the whole list again");
    let most = 0;
    const total = facts.cases.toLocaleString("en-GB");
    for (let i = 0; i < 400; i++) {
      const drawn = await driver
        .executeScript(
          "const v = document.getElementById('cases-viewport'); v.scrollTop = v.scrollHeight;" +
            "v.dispatchEvent(new Event('scroll')); return document.querySelectorAll('#cases tbody tr[data-row]').length;",
        )
        // WebKitWebDriver now and then cannot read a script's answer while the page redraws: asked again.
        .catch((e) => (e.name === "WebDriverError" ? 0 : Promise.reject(e)));
      most = Math.max(most, drawn);
      if ((await textOf("case-count")) === `${total} cases` && (await rows()).at(-1) === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await textOf("case-count"), `${total} cases`, "every case loaded");
    assert.equal((await rows()).at(-1), 1, "the oldest case is the last row");
    assert.ok(most < 100, `at most ${most} rows in the DOM at once`);
    await screenshot(driver, "scale-end");
  });
});
