// Builds web_pixel/src/index.js with the pinned esbuild into web_pixel/dist/sightline-web-pixel.js,
// the script Shopify's pixel sandbox runs (`register` from @shopify/web-pixels-extension calls the
// sandbox's `shopify.extend`). `--check` fails (exit 1) when the committed build is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "dist", "sightline-web-pixel.js");
const result = await build({
  entryPoints: [join(here, "src", "index.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2017",
  legalComments: "none",
  write: false,
  banner: { js: "/* Sightline web pixel. Source: web_pixel/src/index.js */" },
});
const built = result.outputFiles[0].text;
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== built) {
    console.error("web_pixel/dist/sightline-web-pixel.js is stale: run `npm run build:web-pixel`");
    process.exit(1);
  }
  console.log("sightline-web-pixel.js is current");
} else {
  writeFileSync(target, built);
  console.log(`sightline-web-pixel.js: ${built.length} bytes`);
}
