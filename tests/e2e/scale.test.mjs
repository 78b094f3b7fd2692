// The case list of a workspace of 10,000 cases in the real app (issue 19): made by the generator
// `examples/scale_workspace.rs` (about half a minute in a debug build), opened with --data-dir.
// alice goes to the case list before My work has answered (its late answer draws nowhere), searches
// "#155" and opens it, finds a case by its IBAN typed without spaces and one by its amount as the
// app displays it, walks the list with j past its first two pages (the selected row stays
// selected, focused and in view as rows are drawn, pages arrive and the list is scrolled away),
// opens that case beside the list at 1440 px and on its own at 1024 px (one way back, which gives
// the focus back to the row; nothing scrolls sideways; the narrow list's columns still sort), then
// scrolls the list to its end: every case is reached, a page at a time, and the DOM holds only the
// rows in view throughout.
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
  /** Presses keys, one after the other, on whatever has the focus. */
  const keys = (...pressed) => driver.actions().sendKeys(...pressed).perform();
  /** How many cases the list has loaded (its count says). */
  const loaded = async () => Number((await textOf("case-count")).replace(/\D/g, ""));
  /**
   * The selected row: its index in the list, its case, how many rows are selected, whether it
   * holds the focus and whether it is wholly in view below the list's sticky header.
   */
  const selection = () =>
    driver.executeScript(`
      const rows = [...document.querySelectorAll("#cases tbody tr[aria-selected=true]")];
      const row = rows[0];
      if (!row) return { row: -1, caseId: null, selected: 0, focused: false, inView: false };
      const box = row.getBoundingClientRect();
      const port = document.getElementById("cases-viewport").getBoundingClientRect();
      const head = document.querySelector("#cases thead").getBoundingClientRect();
      return {
        row: Number(row.dataset.row),
        caseId: Number(row.dataset.caseId),
        selected: rows.length,
        focused: row.contains(document.activeElement),
        inView: box.top >= head.bottom - 1 && box.bottom <= port.bottom + 1 && box.bottom <= window.innerHeight + 1,
      };`);
  /** What scrolls sideways (the list pane, the list, the detail pane, the window), else null. */
  const overflow = () =>
    driver.executeScript(`
      const wide = [".split-list", "#cases-viewport", ".split-detail", "#content"]
        .map((s) => [s, document.querySelector(s)])
        .filter(([, e]) => e && e.offsetParent !== null && e.scrollWidth > e.clientWidth)
        .map(([s, e]) => s + " " + e.scrollWidth + " > " + e.clientWidth);
      const page = document.documentElement;
      if (page.scrollWidth > page.clientWidth) wide.push("the window " + page.scrollWidth + " > " + page.clientWidth);
      return wide.length ? wide.join("; ") : null;`);
  /** The ways back from the screen on show (the split's back control, a page's own). */
  const backControls = () =>
    driver.executeScript(
      "return [...document.querySelectorAll('#content button')].filter((b) => /^(split-)?back/.test(b.id) && b.offsetParent !== null).map((b) => b.id);",
    );
  /** Clicks the header that sorts by `key` until it says `direction`. */
  const sortBy = async (key, direction) => {
    const header = () => driver.findElement(By.css(`#cases th:has(button[data-sort="${key}"])`));
    await retry(async () => (await driver.findElement(By.css(`#cases button[data-sort="${key}"]`))).click());
    await driver.wait(soon(async () => (await (await header()).getAttribute("aria-sort")) === direction), 20_000, `sorted by ${key}, ${direction}`);
  };
  /** Waits until the row of case `id` is selected and holds the focus. */
  const selectRow = (id) =>
    driver.wait(soon(async () => {
      const s = await selection();
      return s.caseId === id && s.focused && s.selected === 1;
    }), 10_000, `the focus back on the row of #${id}`);
  /** Empties the search and waits for the whole list, newest first. */
  const wholeList = async () => {
    await type("search", "x");
    await (await byId("search")).sendKeys(Key.BACK_SPACE);
    await driver.wait(soon(async () => (await rows())[0] === facts.cases), 20_000, "the whole list again");
  };
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
    // Straight on, while My work may still wait for its answer: its late answer draws nowhere.
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

  it("walks the list with j past its first pages, the selected row kept selected, focused and in view", async () => {
    await wholeList();
    await keys(Key.TAB);
    assert.equal(await driver.executeScript("return document.activeElement.id;"), "cases-viewport", "Tab reaches the list");
    let at = -1;
    for (let step = 0; step < 6; step++) {
      // As a person holding j: the rows ahead are there (the next page comes as the list nears its end).
      await driver.wait(soon(async () => (await loaded()) > at + 41), 60_000, `rows beyond ${at + 41} loaded`);
      await keys("j".repeat(40));
      at += 40;
      await driver.wait(soon(async () => (await selection()).row === at), 20_000, `row ${at} selected`).catch(async (e) => {
        e.message += ` (${JSON.stringify(await selection())})`;
        throw e;
      });
    }
    const walked = await selection();
    assert.ok(at >= 200, "past the first two pages of 100");
    assert.deepEqual(walked, { row: at, caseId: facts.cases - at, selected: 1, focused: true, inView: true });
    await screenshot(driver, "scale-selection");
    // Scrolled away (as with the mouse wheel): the row leaves the DOM, the list keeps the focus,
    // and j goes on from the selected row, drawn again where it is.
    await driver.executeScript("const v = document.getElementById('cases-viewport'); v.scrollTop = 0; v.dispatchEvent(new Event('scroll'));");
    await driver.wait(soon(async () => !(await rows()).includes(facts.cases - at)), 10_000, "the selected row scrolled out of the DOM");
    assert.equal(await driver.executeScript("return document.activeElement.id;"), "cases-viewport", "the list keeps the focus");
    await keys("j");
    await driver.wait(soon(async () => (await selection()).row === at + 1), 10_000, "j goes on from the selected row");
    assert.deepEqual(await selection(), { row: at + 1, caseId: facts.cases - at - 1, selected: 1, focused: true, inView: true });
  });

  it("shows a case beside the list at 1440 px, and on its own at 1024 px, with one way back and no sideways scroll", async () => {
    const window = driver.manage().window();
    const before = await window.getRect();
    try {
      for (const width of [1440, 1024]) {
        await window.setRect({ width, height: width === 1024 ? 720 : 900 });
        await driver.wait(async () => (await driver.executeScript("return window.innerWidth;")) === width, 5_000, `window ${width} px wide`);
        await screen("inbox");
        const opened = (await selection()).caseId;
        assert.equal(await overflow(), null, `no sideways scroll in the list alone at ${width} px`);
        await keys(Key.ENTER);
        await screen("case");
        await driver.wait(soon(async () => (await textOf("case-title")).startsWith(`Case #${opened}:`)), 20_000, `case #${opened}`);
        const beside = await driver.executeScript("return getComputedStyle(document.querySelector('.split-list')).display !== 'none';");
        assert.equal(beside, width === 1440, "beside the list from 1280 px wide, on its own below");
        assert.equal(await overflow(), null, `no sideways scroll with the case open at ${width} px`);
        assert.deepEqual(await backControls(), ["split-back"], "one way back");
        if (beside) {
          // The narrow list: the case, the partner, the amount and the status; each header sorts; a
          // row still names every column, the hidden ones too.
          const headers = await driver.executeScript(
            "return [...document.querySelectorAll('#cases thead th')].filter((th) => th.offsetParent !== null).map((th) => th.textContent.trim());",
          );
          assert.deepEqual(headers, ["Case", "Partner", "Amount", "Status"]);
          const [shown, list] = await driver.executeScript(`
            const widths = [...document.querySelectorAll("#cases thead th")].filter((th) => th.offsetParent !== null).map((th) => th.getBoundingClientRect().width);
            return [widths.reduce((a, b) => a + b, 0), document.getElementById("cases-viewport").clientWidth];`);
          assert.ok(shown >= list - 4, `the columns shown fill the list's width (${shown} of ${list} px)`);
          const row = await driver.findElement(By.css(`#cases tr[data-case-id="${opened}"]`));
          assert.match(await row.getAttribute("aria-label"), /^Case: #\d+, Verdict: .+, Partner: .+, Payee: .+, Amount: .+, Age: .+, Status: .+$/);
          await screenshot(driver, "scale-beside-1440");
          // Back (Escape presses the one back control): the focus on the row the case came from.
          await keys(Key.ESCAPE);
          await screen("inbox");
          await selectRow(opened);
          // Beside the case again, the narrow list's headers sort it, and it still fits.
          await keys(Key.ENTER);
          await screen("case");
          await sortBy("amount", "ascending");
          assert.equal(await overflow(), null, "no sideways scroll sorted by amount");
          await sortBy("number", "ascending");
          await sortBy("number", "descending");
          await driver.wait(soon(async () => (await rows())[0] === facts.cases), 20_000, "newest first again");
          // Sorted again, the case's row is no longer among the rows loaded: back, the list loads
          // pages until it finds it again, and the focus is on it; j goes on from there.
          await keys(Key.ESCAPE);
          await screen("inbox");
          await selectRow(opened);
          await keys("j");
          await driver.wait(soon(async () => (await selection()).caseId === opened - 1), 10_000, "j selects the next row");
        } else {
          await screenshot(driver, "scale-case-1024");
          // The one back control, pressed with the keyboard: the list again, the focus on the row.
          await driver.executeScript("document.getElementById('split-back').focus();");
          await keys(Key.ENTER);
          await screen("inbox");
          await driver.wait(soon(async () => (await selection()).focused), 10_000, "the focus back on the row");
          assert.deepEqual(await selection(), { row: (await selection()).row, caseId: opened, selected: 1, focused: true, inView: true });
          assert.equal(await overflow(), null, "no sideways scroll in the list again at 1024 px");
          await screenshot(driver, "scale-back-1024");
        }
      }
    } finally {
      await window.setRect({ width: before.width, height: before.height });
    }
  });

  it("scrolls the whole list to its end, a page at a time, with few rows in the DOM", async () => {
    await wholeList();
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
