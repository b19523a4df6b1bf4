/* The header's menu on narrow screens. Without JavaScript the "Menu" link opens it through
   #site-menu (CSS :target); with it, the link becomes a toggle button with aria-expanded. */
(function () {
  "use strict";
  var button = document.querySelector(".site-header .menu-button");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) { return; }
  button.setAttribute("role", "button");
  button.setAttribute("aria-expanded", "false");

  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  }
  button.addEventListener("click", function (event) {
    event.preventDefault();
    set(button.getAttribute("aria-expanded") !== "true");
  });
  button.addEventListener("keydown", function (event) {
    if (event.key === " ") { event.preventDefault(); button.click(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.classList.contains("open")) { set(false); button.focus(); }
  });
})();
