// The counter page: read the ID card through the local reader service, or ask GDX, and put
// the data into the record form. The photo is shown, never sent to the portal.
(function () {
  "use strict";
  const TOKEN_KEY = "citizeninfo.idcard.token";

  function msg(key) {
    const tpl = document.getElementById("counter-messages");
    const el = tpl && tpl.content.querySelector('[data-key="' + key + '"]');
    return el ? el.textContent : key;
  }

  function setField(name, value) {
    const input = document.getElementById("id_" + name);
    if (input) input.value = value || "";
    const box = document.querySelector('input[name="fields_used"][value="' + name + '"]');
    if (box) box.checked = Boolean(value);
  }

  function setSource(value) {
    const radio = document.querySelector('input[name="source"][value="' + value + '"]');
    if (radio) radio.checked = true;
  }

  function clearForm() {
    ["citizen_id", "name_th", "name_en", "birth_date", "address", "house_members", "juristic"].forEach(function (f) { setField(f, ""); });
    const expired = document.getElementById("id_card_expired");
    if (expired) expired.value = "";
    const ticket = document.getElementById("id_gdx_ticket");
    if (ticket) ticket.value = "";
  }

  function cardSetup(panel) {
    const base = panel.dataset.readerUrl.replace(/\/$/, "");
    const status = document.getElementById("card-status");
    const pairRow = document.getElementById("pair-row");
    const photoBox = document.getElementById("photo-box");
    const photo = document.getElementById("card-photo");
    const expired = document.getElementById("card-expired");
    if (sessionStorage.getItem(TOKEN_KEY)) pairRow.hidden = true;

    async function call(path, body, token) {
      const headers = { "Content-Type": "application/json" };
      if (token) headers.Authorization = "Bearer " + token;
      const resp = await fetch(base + path, { method: "POST", headers: headers, body: JSON.stringify(body || {}) });
      return { status: resp.status, body: await resp.json() };
    }

    function thaiOr(body) {
      const lang = document.documentElement.lang;
      return (lang === "th" ? body.message_th : body.message_en) || body.message_th || msg("failed");
    }

    document.getElementById("pair-button").addEventListener("click", async function () {
      const code = document.getElementById("pair-code").value.trim();
      try {
        const r = await call("/pair", { code: code });
        if (r.status === 200) {
          sessionStorage.setItem(TOKEN_KEY, r.body.token);
          pairRow.hidden = true;
          status.textContent = msg("paired");
        } else {
          status.textContent = thaiOr(r.body);
        }
      } catch (e) {
        status.textContent = msg("no_service");
      }
    });

    document.getElementById("read-card").addEventListener("click", async function () {
      status.textContent = msg("reading");
      photoBox.hidden = true;
      expired.hidden = true;
      photo.removeAttribute("src");
      try {
        const r = await call("/read", {}, sessionStorage.getItem(TOKEN_KEY));
        if (r.status === 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          pairRow.hidden = false;
          status.textContent = thaiOr(r.body);
          return;
        }
        if (r.status !== 200) { status.textContent = thaiOr(r.body); return; }
        const c = r.body.card;
        clearForm();
        setField("citizen_id", c.citizen_id);
        setField("name_th", c.name_th.full);
        setField("name_en", c.name_en.full);
        setField("birth_date", c.birth_date.iso || c.birth_date.raw);
        setField("address", c.address.line);
        setSource("card");
        document.getElementById("id_card_expired").value = c.expired ? "on" : "";
        expired.hidden = !c.expired;
        if (c.photo_jpeg_base64) {
          photo.src = "data:image/jpeg;base64," + c.photo_jpeg_base64;
          photoBox.hidden = false;
        }
        status.textContent = msg("read");
      } catch (e) {
        status.textContent = msg("no_service");
      }
    });
  }

  function gdxSetup(form) {
    const status = document.getElementById("gdx-status");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      status.textContent = msg("asking");
      try {
        const resp = await fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
        });
        const body = await resp.json();
        if (resp.status === 200) {
          clearForm();
          Object.keys(body.values).forEach(function (k) { setField(k, body.values[k]); });
          document.getElementById("id_gdx_ticket").value = body.ticket;
          setSource("gdx");
          const consent = document.getElementById("id_consent");
          if (consent) consent.checked = true;
          status.textContent = msg("answered") + (body.message ? " " + body.message : "");
        } else if (body.errors) {
          status.textContent = Object.values(body.errors).flat().join(" ");
        } else {
          status.textContent = body.message || msg("failed");
        }
      } catch (e) {
        status.textContent = msg("failed");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const panel = document.getElementById("card-panel");
    if (panel) cardSetup(panel);
    const form = document.getElementById("gdx-form");
    if (form) gdxSetup(form);
  });
})();
