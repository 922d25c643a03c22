// Runs Shopify's Theme Check (the theme-app-extension rules) on a theme app extension folder;
// exit 1 when it reports any error.
import { resolve } from "node:path";
import { themeCheckRun } from "@shopify/theme-check-node";

const root = resolve(process.argv[2] || "theme_extension");
// The theme-app-extension rule set, named explicitly rather than inferred from the folder.
const { offenses } = await themeCheckRun(root, "theme-check:theme-app-extension", () => {});
const severities = ["error", "warning", "info"];
for (const offense of offenses) {
  const where = `${offense.uri.replace(/^file:\/\//, "")}:${(offense.start?.line ?? 0) + 1}`;
  console.log(`${severities[offense.severity] ?? offense.severity} ${offense.check} ${where}: ${offense.message}`);
}
const errors = offenses.filter((offense) => offense.severity === 0).length;
console.log(`theme check: ${offenses.length} offense(s), ${errors} error(s)`);
process.exit(errors ? 1 : 0);
