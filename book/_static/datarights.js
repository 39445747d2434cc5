// A table cell of at most three words (a number, "mean ± std", a method's name, a short label)
// never wraps: broken over two lines it reads as two values. Prose cells (four words or more) and
// headers wrap as usual. A table that grows wider than the column scrolls sideways inside its
// container (myst-nb's output box, pydata-sphinx-theme's table container), never over the page.
// CSS alone cannot count words, hence this class, set once the page is parsed.
document.addEventListener("DOMContentLoaded", () => {
  for (const cell of document.querySelectorAll("article table:not(.dr-wrap) tbody :is(td, th)")) {
    const words = cell.textContent.trim().split(/\s+/).filter(Boolean);
    if (words.length <= 3) cell.classList.add("dr-nowrap");
  }
});
