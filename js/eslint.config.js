// @ts-check
// Lint for the widget sources, their tests and the build script (`npm run lint`).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["src/**/*.js"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["test/**/*.js", "test/**/*.mjs", "*.mjs", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    rules: {
      // `catch { /* why nothing happens */ }` is the house style for a deliberate ignore
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
];
