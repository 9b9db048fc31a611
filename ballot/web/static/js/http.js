// The pages' requests to the server: JSON in and out, the CSRF token on session calls, and the
// server's refusals as Errors carrying their code and the message in the page's language.
// Anonymous calls (credential registration, casting) send no cookie at all.

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const lang = () => (document.documentElement.lang === "en" ? "en" : "zh");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body[lang()] || body.en || `HTTP ${response.status}`);
    error.code = body.error;
    throw error;
  }
  return body;
}

/** The answer to `request()`, tried up to `attempts` times while the network fails or the
 * server is briefly unavailable (502, 503, 504), never when it refuses. */
async function tried(request, attempts, onRetry) {
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await request();
    } catch (err) {
      if (attempt >= attempts) throw err;
      if (onRetry) onRetry(attempt);
      await sleep(1000 * attempt);
      continue;
    }
    if ([502, 503, 504].includes(response.status) && attempt < attempts) {
      if (onRetry) onRetry(attempt);
      await sleep(1000 * attempt);
      continue;
    }
    return answer(response);
  }
}

/** GET a JSON document, with the session or, `anonymous`, without any cookie (`attempts`,
 * `onRetry`: as postJSON). */
export async function getJSON(url, { anonymous = false, attempts = 1, onRetry = null } = {}) {
  const request = () =>
    fetch(url, {
      credentials: anonymous ? "omit" : "same-origin",
      referrerPolicy: anonymous ? "no-referrer" : "strict-origin-when-cross-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
  return tried(request, attempts, onRetry);
}

/** Where the record has the ballot with this tracker, asked without cookies: the server must
 * never see a member's session beside their tracker. */
export function lookUpTracker(meeting, tracker) {
  const url = `/m/${encodeURIComponent(meeting)}/tracker.json?t=${encodeURIComponent(tracker)}`;
  return getJSON(url, { anonymous: true, attempts: 3 });
}

/**
 * POST a JSON body. `anonymous`: without cookies (so without the session and its CSRF token),
 * nothing tying the request to the member. `attempts`: how often to try when the network
 * itself fails or the server is briefly unavailable (502, 503, 504: e.g. its database
 * restarting) — never when it refuses; the ballot's routes are safe to repeat. `onRetry(n)`
 * is told before the n-th try again, so the page can say what it is doing.
 */
export async function postJSON(url, body, { anonymous = false, attempts = 1, onRetry = null } = {}) {
  const request = () =>
    fetch(url, {
      method: "POST",
      credentials: anonymous ? "omit" : "same-origin",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      headers: anonymous
        ? { "Content-Type": "application/json", Accept: "application/json" }
        : { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body),
    });
  return tried(request, attempts, onRetry);
}
