// A login link carries the code after '#', which browsers never send to the server (so it
// stays out of every log): copy it into the form and clear it from the address bar.
const field = document.getElementById("code");
if (field && location.hash.length > 1) {
  field.value = decodeURIComponent(location.hash.slice(1));
  history.replaceState(null, "", location.pathname);
}
