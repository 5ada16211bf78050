// "Copy BibTeX" on a paper's page. The citation is on the page and in a file either way; the
// button appears only where the Clipboard API works, and says in a live region what happened.
for (const button of document.querySelectorAll("button[data-copy-target]")) {
  const source = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!source || !status || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.textContent);
      status.textContent = "Copied to the clipboard.";
    } catch {
      status.textContent = "Copying failed: select the text and copy it instead.";
    }
  });
}
