// The 显示 buttons: POST (with the form's CSRF token) to the audited reveal endpoint and put the
// returned value in place of the masked one. Without JavaScript the form still posts and shows the JSON.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.reveal");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true;
  const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
  const data = await response.json().catch(() => ({}));
  const value = form.parentElement.querySelector(".value");
  if (response.ok) {
    value.textContent = data.value;
    value.classList.add("revealed");
    form.remove();
  } else {
    // the API's error shape: {"error": {"code", "message", "field", "details"}}
    const message = (data.error && data.error.message) || form.dataset.failed;
    value.title = message;
    button.textContent = message;
  }
});
