// The projector shows everything on one screen: the type starts as large as the screen allows
// and shrinks in small steps until nothing is cut off (no scrolling in a room), whenever the
// screen's size or the page's content changes. "全屏" (or the F key) asks for full screen.
const root = document.documentElement;
const page = document.getElementById("projector");

const fits = () => root.scrollHeight <= innerHeight && root.scrollWidth <= innerWidth;

export function fit() {
  let size = Math.min(innerHeight / 22, innerWidth / 36);
  root.style.fontSize = `${size}px`;
  while (!fits() && size > 6) {
    size *= 0.95;
    root.style.fontSize = `${size}px`;
  }
  root.dataset.fitted = fits() ? "yes" : "no";
}

if (page) {
  fit();
  addEventListener("resize", fit);
  new MutationObserver(fit).observe(page, { childList: true, subtree: true, characterData: true });
  const full = document.getElementById("fullscreen");
  const toggle = () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else root.requestFullscreen?.().catch(() => {});
  };
  full?.addEventListener("click", toggle);
  addEventListener("keydown", (e) => { if (e.key === "f" || e.key === "F") toggle(); });
  document.addEventListener("fullscreenchange", () => {
    if (full) full.hidden = Boolean(document.fullscreenElement);
  });
}
