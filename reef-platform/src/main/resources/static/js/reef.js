// Reef dashboard: the few things plain HTML cannot do. Served by Reef itself (no CDN); htmx does the polling.
(function () {
  "use strict";

  function csrfHeaders() {
    var token = document.querySelector('meta[name="csrf-token"]');
    var header = document.querySelector('meta[name="csrf-header"]');
    var headers = {};
    if (token && header) { headers[header.content] = token.content; }
    return headers;
  }

  // Reads "event:" / "data:" blocks from a server-sent event stream, calling onEvent(name, data) for each.
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function dispatch(block) {
      var name = "message", data = [];
      block.split(/\r?\n/).forEach(function (line) {
        if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
      });
      if (data.length) { onEvent(name, data.join("\n")); }
    }
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { if (buffer.trim()) { dispatch(buffer); } return; }
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split(/\r?\n\r?\n/);
        buffer = parts.pop();
        parts.forEach(dispatch);
        return pump();
      });
    }
    return pump();
  }

  // The friendly sentence of a dashboard error page, for requests made from script.
  function problemText(response) {
    return response.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var message = doc.querySelector(".problem-message");
      var title = doc.querySelector("h1");
      if (message) { return (title ? title.textContent.trim() + ": " : "") + message.textContent.trim(); }
      if (response.status === 401 || response.redirected) { return "Your session has ended; log in again."; }
      return "Reef answered " + response.status + ".";
    });
  }

  // --- live status (htmx) ---
  document.addEventListener("htmx:beforeSwap", function (e) {
    var url = e.detail.xhr && e.detail.xhr.responseURL || "";
    if (/\/login(\?|$)/.test(url)) { window.location.href = url; e.detail.shouldSwap = false; }
  });
  document.addEventListener("htmx:responseError", function (e) {
    var elt = e.detail.elt;
    if (!elt || !elt.classList || !elt.classList.contains("agent-status")) { return; }
    var status = e.detail.xhr.status;
    var p = document.createElement("p");
    p.className = "alert " + (status === 404 ? "info" : "error");
    p.textContent = status === 404 ? "This agent no longer exists."
      : status === 403 ? "Access was refused (is the tenant suspended?). Reload the page."
      : "Lost touch with Reef; reload the page.";
    elt.replaceWith(p); // removing the element also stops its polling
  });

  // --- log viewer: follows the agent's log over server-sent events ---
  function followLog(pre) {
    var notice = pre.parentElement.querySelector("[data-log-notice]");
    var toggle = pre.parentElement.querySelector("[data-log-toggle]");
    var following = true, source = null, maxLines = 2000;
    function atBottom() { return pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40; }
    function append(line) {
      var stick = atBottom();
      pre.appendChild(document.createTextNode(line + "\n"));
      while (pre.childNodes.length > maxLines) { pre.removeChild(pre.firstChild); }
      if (stick) { pre.scrollTop = pre.scrollHeight; }
    }
    function open() {
      source = new EventSource(pre.dataset.logStream);
      source.addEventListener("reset", function () { pre.textContent = ""; if (notice) { notice.textContent = ""; } });
      source.addEventListener("log", function (e) { append(e.data); });
      source.addEventListener("notice", function (e) { if (notice) { notice.textContent = e.data; } });
      source.onerror = function () {
        if (source.readyState === EventSource.CLOSED && notice) { notice.textContent = "The log stream stopped; reload to retry."; }
      };
    }
    open();
    if (toggle) {
      toggle.addEventListener("click", function () {
        following = !following;
        if (following) { open(); } else if (source) { source.close(); }
        toggle.textContent = following ? "Following" : "Paused";
        toggle.setAttribute("aria-pressed", String(following));
      });
    }
    window.addEventListener("pagehide", function () { if (source) { source.close(); } });
  }

  // --- chat: posts the message and shows the reply as it streams in ---
  function chat(form) {
    var log = document.querySelector("[data-chat-log]");
    var input = form.querySelector("textarea");
    var button = form.querySelector("button[type=submit]");
    function bubble(kind, text) {
      var li = document.createElement("li");
      li.className = "message " + kind;
      li.textContent = text;
      log.appendChild(li);
      log.scrollTop = log.scrollHeight;
      return li;
    }
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var message = input.value.trim();
      if (!message || button.disabled) { return; }
      bubble("user", message);
      input.value = "";
      button.disabled = true;
      var reply = bubble("agent streaming", "");
      reply.setAttribute("aria-busy", "true");
      var waking = null;
      var headers = csrfHeaders();
      headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8";
      headers["Accept"] = "text/event-stream";
      fetch(form.action, { method: "POST", headers: headers, body: new URLSearchParams({ message: message }),
          credentials: "same-origin" })
        .then(function (response) {
          var type = response.headers.get("content-type") || "";
          if (!response.ok || type.indexOf("text/event-stream") !== 0) {
            return problemText(response).then(function (text) { throw new Error(text); });
          }
          return readEvents(response, function (name, data) {
            var body = {};
            try { body = JSON.parse(data); } catch (ignored) { /* not JSON */ }
            if (name === "conversation") {
              // a message that started a conversation: from now on the page is that conversation's
              if (form.dataset.conversation !== body.id) {
                form.dataset.conversation = body.id;
                form.action = body.url;
                if (window.history && history.replaceState) { history.replaceState(null, "", body.url); }
                listConversation(body, message);
              }
            } else if (name === "status") {
              if (!waking) {
                // above the reply it is waiting for, not below it
                waking = bubble("waking", "Waking the agent (it was " + (body.state || "stopped") + ")…");
                log.insertBefore(waking, reply);
              }
            } else if (name === "delta") {
              if (waking) { waking.textContent = "The agent is awake."; }
              // it runs now: the "not running" note above the conversation no longer holds
              var note = log.querySelector(".message.system");
              if (note) { note.remove(); }
              reply.textContent += body.text || "";
              log.scrollTop = log.scrollHeight;
            } else if (name === "error") {
              throw new Error(body.message || "The agent could not answer.");
            }
          });
        })
        .catch(function (err) {
          if (!reply.textContent) { reply.remove(); }
          bubble("error", err.message || "Could not reach Reef.");
        })
        .finally(function () {
          reply.classList.remove("streaming");
          reply.removeAttribute("aria-busy");
          button.disabled = false;
          input.focus();
        });
    });
  }

  // a conversation a message just started, at the top of the list (the server lists it so from now on)
  function listConversation(conversation, message) {
    var list = document.querySelector(".conversation-list");
    if (!list || list.querySelector('[data-conversation="' + conversation.id + '"]')) { return; }
    var li = document.createElement("li");
    li.setAttribute("data-conversation", conversation.id);
    var a = document.createElement("a");
    a.href = conversation.url;
    a.setAttribute("aria-current", "page");
    var title = document.createElement("span");
    title.className = "conversation-title";
    title.textContent = message.replace(/\s+/g, " ").slice(0, 60);
    a.appendChild(title);
    li.appendChild(a);
    list.querySelectorAll("a[aria-current]").forEach(function (other) { other.removeAttribute("aria-current"); });
    list.insertBefore(li, list.firstChild);
    var none = document.querySelector("[data-no-conversations]");
    if (none) { none.remove(); }
  }

  // forms that undo something ask first
  function confirmFirst(form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
    });
  }

  function copy(button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copy);
      if (!field) { return; }
      field.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); }); }
      else { document.execCommand("copy"); done(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("pre[data-log-stream]").forEach(followLog);
    document.querySelectorAll("form[data-chat]").forEach(chat);
    document.querySelectorAll("form[data-confirm]").forEach(confirmFirst);
    document.querySelectorAll("[data-copy]").forEach(copy);
  });
})();
