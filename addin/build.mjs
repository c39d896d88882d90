// Build the Outlook task pane: TypeScript -> one small ES module (+ an MSAL chunk loaded only
// where nested app authentication is available), HTML and CSS copied beside it.
// Output: src/casedesk/web/addin/ (served by `casedesk serve` at /addin/, packaged with the app).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "casedesk", "web", "addin");
// assets/ (the icons, drawn by scripts/make_icons.py) is kept; the rest is rebuilt.
rmSync(join(out, "chunks"), { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, "src", "taskpane.ts")],
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  chunkNames: "chunks/[name]-[hash]",
});
for (const name of ["taskpane.html", "taskpane.css", "about.html"]) {
  copyFileSync(join(here, name), join(out, name));
}
const sizes = Object.entries(result.metafile.outputs).map(
  ([file, info]) => `${file.split("/web/addin/")[1]} ${(info.bytes / 1024).toFixed(0)} KiB`,
);
console.log(`task pane built in ${out}:\n  ${sizes.join("\n  ")}`);
