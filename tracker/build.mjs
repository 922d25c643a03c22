// Builds the storefront assets from tracker/src/ with the pinned terser: the tracker
// (theme_extension/assets/sightline.js, loaded on every page) and the picker
// (theme_extension/assets/sightline-picker.js, loaded only in picker mode). `--check` fails
// (exit 1) when a committed asset differs from a fresh build.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { minify } from "terser";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const ASSETS = [
  ["sightline.js", "Sightline storefront tracker"],
  ["sightline-picker.js", "Sightline storefront picker"],
];

let stale = false;
for (const [name, title] of ASSETS) {
  const source = join(repo, "tracker", "src", name);
  const target = join(repo, "theme_extension", "assets", name);
  const banner = `/* ${title}. Source: tracker/src/${name} */\n`;
  const result = await minify(readFileSync(source, "utf8"), {
    ecma: 2017,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  const built = banner + result.code + "\n";
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(target, "utf8");
    } catch {
      // missing counts as stale
    }
    if (current !== built) {
      console.error(`theme_extension/assets/${name} is stale: run \`npm run build:tracker\``);
      stale = true;
      continue;
    }
    console.log(`${name} is current`);
  } else {
    writeFileSync(target, built);
  }
  console.log(`${name}: ${built.length} bytes raw, ${gzipSync(built, { level: 9 }).length} bytes gzipped`);
}
if (stale) process.exit(1);
