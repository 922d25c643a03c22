// Copies Chart.js's built UMD bundle (pinned in package-lock.json) into the app's static files,
// so the dashboard loads it from the app itself: no CDN at run time. `--check` fails (exit 1)
// when the committed copy differs from what the installed package would give.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(repo, "node_modules", "chart.js", "package.json"), "utf8"));
const source = join(repo, "node_modules", "chart.js", "dist", "chart.umd.min.js");
const target = join(repo, "shopify_app", "static", "vendor", "chart.umd.min.js");
const banner = `/* Chart.js ${pkg.version} (MIT), copied by tools/vendor-charts.mjs from npm */\n`;
const built = banner + readFileSync(source, "utf8");

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== built) {
    console.error("shopify_app/static/vendor/chart.umd.min.js is stale: run `npm run build:charts`");
    process.exit(1);
  }
  console.log(`chart.umd.min.js is current (Chart.js ${pkg.version})`);
} else {
  writeFileSync(target, built);
  console.log(`chart.umd.min.js: Chart.js ${pkg.version}, ${built.length} bytes`);
}
