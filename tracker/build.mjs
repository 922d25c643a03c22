// Builds theme_extension/assets/sightline.js from tracker/src/sightline.js with the pinned
// terser. `--check` fails (exit 1) when the committed asset differs from a fresh build.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { minify } from "terser";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(repo, "tracker", "src", "sightline.js");
const target = join(repo, "theme_extension", "assets", "sightline.js");
const BANNER = "/* Sightline storefront tracker. Source: tracker/src/sightline.js */\n";

const result = await minify(readFileSync(source, "utf8"), {
  ecma: 2017,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false },
});
const built = BANNER + result.code + "\n";

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== built) {
    console.error("theme_extension/assets/sightline.js is stale: run `npm run build:tracker`");
    process.exit(1);
  }
  console.log("sightline.js is current");
} else {
  writeFileSync(target, built);
}
console.log(`sightline.js: ${built.length} bytes raw, ${gzipSync(built, { level: 9 }).length} bytes gzipped`);
