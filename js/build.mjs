// @ts-check
// Bundles each widget entry point in src/ into ../gizmo_notebook/static/ as one ESM file.
// The viewer and the Studio share one bundle (widget.js) so a notebook loads three.js once.
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
/** @type {import("esbuild").BuildOptions} */
const options = {
  entryPoints: { widget: "src/widget.js" },
  bundle: true,
  format: "esm",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  target: ["es2020"],
  outdir: "../gizmo_notebook/static",
  logLevel: "warning",
};
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log("watching js/src for changes: re-run the cell to load the rebuilt bundle (see DEVELOP.md)");
} else {
  await esbuild.build(options);
}
