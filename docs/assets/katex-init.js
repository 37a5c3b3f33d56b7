// Render \( \) and \[ \] with the vendored KaTeX, on first load and on every Material page change.
function renderMath() {
  renderMathInElement(document.body, {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  });
}
if (typeof document$ !== "undefined") { document$.subscribe(renderMath); } else { document.addEventListener("DOMContentLoaded", renderMath); }
