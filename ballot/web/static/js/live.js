// Live numbers on the projector and the chair's console: poll the meeting's status and update
// the fields in place; reload when a round opens, closes or is counted (the page then shows it).
// The server renders the page with its shape (data-shape), so a change made between rendering
// and the first poll reloads it too.
const root = document.querySelector("[data-live]");
if (root) {
  const tick = async () => {
    try {
      const response = await fetch(root.dataset.live, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const s = await response.json();
      if (s.shape !== root.dataset.shape) { location.reload(); return; }
      const set = (name, value) => {
        for (const el of root.querySelectorAll(`[data-field="${name}"]`)) el.textContent = String(value);
      };
      set("members", s.members);
      set("present", s.present);
      if (s.round) {
        set("issued", s.round.issued);
        set("returned", s.round.returned);
        set("not-voted", Math.max(s.present - s.round.returned, 0)); // a count, never who
      }
      set("head", s.head.slice(0, 16));
    } catch (err) {
      // the network dropped for a moment: try again at the next tick
    }
  };
  tick();
  setInterval(tick, 1000); // (a small answer: the room sees the counts within a second or so)
}
