// A member's page that waits (for the check-in, for the next round): ask every few seconds
// whether what it shows has changed — the meeting, its status, the open round, the check-in —
// and reload only then. (It used to reload itself every 5 s: a page that moves under an older
// member's finger, and screen readers announce it anew each time.)
const root = document.querySelector("[data-waiting]");
if (root) {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(root.dataset.waiting, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const state = await response.json();
        if (state.shape !== root.dataset.shape) location.reload();
      }
    } catch (err) {
      // the network dropped for a moment: ask again at the next tick
    } finally {
      busy = false;
    }
  };
  setInterval(tick, 3000);
}
