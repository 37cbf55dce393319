// Marks `first-session-row` in the Performance timeline (milliseconds since navigation start) in the
// frame that paints the first row of the sessions table. Installed before the page's own scripts; the
// browser test and `cargo xtask bench` measure first paint with it alike.
(() => {
  const row = () => document.querySelector('#sessions tbody tr[data-session-id]');
  const observer = new MutationObserver(() => {
    if (row()) {
      observer.disconnect();
      requestAnimationFrame(() => performance.mark('first-session-row'));
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})();
