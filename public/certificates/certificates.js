// Copy the verification link (progressive enhancement: without JavaScript the link is selectable text).
document.querySelectorAll('[data-copy-target]').forEach((button) => {
  const input = document.getElementById(button.getAttribute('data-copy-target'));
  if (!input || !navigator.clipboard) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(input.value).then(
      () => {
        button.textContent = button.getAttribute('data-copied-text') || label;
        setTimeout(() => (button.textContent = label), 2000);
      },
      () => input.select(),
    );
  });
});
