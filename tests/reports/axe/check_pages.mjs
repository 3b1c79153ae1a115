// Opens each page in Debian's Chromium (puppeteer-core drives the system browser; nothing is
// downloaded), runs axe-core's WCAG 2.2 A and AA rules at each width, and checks the page
// does not scroll sideways. Prints one JSON report on stdout:
// [{page, width, violations: [{id, impact, help, targets}], overflow: [selector...]}].
//
// node check_pages.mjs CHROMIUM WIDTH[,WIDTH...] PAGE.html [PAGE.html ...]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const [chromium, widthList, ...pages] = process.argv.slice(2);
const widths = widthList.split(",").map(Number);
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const report = [];
try {
  for (const path of pages) {
    for (const width of widths) {
      const page = await browser.newPage();
      await page.setViewport({ width, height: 900 });
      await page.goto(pathToFileURL(path).href, { waitUntil: "load", timeout: 60000 });
      await page.evaluate(axeSource);
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
        TAGS,
      );
      const overflow = await page.evaluate(() => {
        const limit = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= limit) return [];
        return [...document.querySelectorAll("body *")]
          .filter((element) => element.getBoundingClientRect().right > limit + 0.5)
          .slice(0, 10)
          .map((element) => {
            const where = element.id ? `#${element.id}` : element.className || "";
            return `${element.tagName.toLowerCase()}${where ? ` ${where}` : ""}`;
          });
      });
      report.push({
        page: path,
        width,
        violations: result.violations.map((violation) => ({
          id: violation.id,
          impact: violation.impact,
          help: violation.help,
          targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
        })),
        overflow,
      });
      await page.close();
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
