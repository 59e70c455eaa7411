/* Page behaviour for the web chat. Everything is delegated from document, because gradio re-renders messages.
   [n] marker -> scroll to its card; 第N段 -> open the 原文 tab at that paragraph; 复制 -> copy answer + sources. */
(function () {
  if (window.raInstalled) return;
  window.raInstalled = true;

  function flash(el) {
    el.classList.remove("ra-flash");
    void el.offsetWidth;  // restart the animation
    el.classList.add("ra-flash");
  }

  function openTab(id) {  // by the tab's id, not its label, which depends on the page's language
    var tab = document.getElementById(id + "-button");
    if (tab) tab.click();
    return !!tab;
  }

  // Show paragraph element ID in the 原文 tab; the tab's content may only appear after the click, so poll briefly.
  function showInFulltext(id) {
    openTab("ra-tab-fulltext");
    var tries = 0;
    (function look() {
      var el = document.getElementById(id);
      if (el && el.offsetParent !== null) {
        el.scrollIntoView({block: "center"});
        flash(el);
      } else if (tries++ < 60) {
        setTimeout(look, 50);
      }
    })();
  }

  window.raShowParagraph = function (n, doc) {
    n = parseInt(n, 10);
    if (!(n >= 1)) return;
    showInFulltext("para-" + (doc || 0) + "-" + n);
  };

  function copyText(text, button) {
    var done = function () {
      var old = button.textContent;
      button.textContent = "已复制";
      setTimeout(function () { button.textContent = old; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more we can do */ }
    document.body.removeChild(area);
  }

  // The chat's sanitizer drops data-* attributes, so a link names its target only in its href: "#cite-1-2".
  function target(link) {
    return (link.getAttribute("href") || "").replace(/^#/, "");
  }

  // Hover (or keyboard focus) on [n]: a preview of the quote it cites, without scrolling away from the answer.
  var preview = null;
  function showPreview(marker) {
    var found = document.getElementById(target(marker));
    var card = found && (found.closest(".ra-card") || found);
    if (!card) return;
    var quote = found.querySelector ? (found.querySelector("mark") || card.querySelector("mark")) : null;
    var head = card.querySelector(".ra-card-head");
    var text = (quote || card.querySelector(".ra-card-text") || card).textContent.trim();
    if (!preview) {
      preview = document.createElement("div");
      preview.className = "ra-preview";
      preview.setAttribute("role", "tooltip");
      document.body.appendChild(preview);
    }
    preview.textContent = "";
    if (head) {
      var where = document.createElement("div");
      where.className = "ra-preview-head";
      where.textContent = head.textContent.trim();
      preview.appendChild(where);
    }
    preview.appendChild(document.createTextNode(text.length > 240 ? text.slice(0, 240) + "…" : text));
    var box = marker.getBoundingClientRect();
    preview.style.left = Math.max(8, Math.min(box.left, window.innerWidth - 380)) + "px";
    preview.style.top = (box.bottom + 6) + "px";
    preview.classList.add("ra-shown");
  }
  function hidePreview() { if (preview) preview.classList.remove("ra-shown"); }
  ["mouseover", "focusin"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var marker = event.target && event.target.closest && event.target.closest("a.ra-marker");
      if (marker) showPreview(marker);
    });
  });
  ["mouseout", "focusout", "scroll"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      if (kind === "scroll" || (event.target && event.target.closest && event.target.closest("a.ra-marker"))) {
        hidePreview();
      }
    }, true);
  });

  // A question sent while an answer is still coming waits for it (the page's event is "always_last"): say so.
  function noteQueued() {
    if (!document.querySelector("#ra-chat .ra-streaming")) return;
    var input = document.querySelector("#ra-input");
    if (!input) return;
    var note = document.querySelector("#ra-queued");
    if (!note) {
      note = document.createElement("div");
      note.id = "ra-queued";
      note.setAttribute("role", "status");
      input.parentElement.insertBefore(note, input.nextSibling);
    }
    note.textContent = "上一个回答完成后，会接着回答这个问题（可按“停止”结束上一个回答）";
    var clear = setInterval(function () {
      if (!document.querySelector("#ra-chat .ra-streaming")) { note.textContent = ""; clearInterval(clear); }
    }, 300);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && event.target && event.target.closest &&
        event.target.closest("#ra-input")) noteQueued();
  }, true);

  document.addEventListener("click", function (event) {
    var t = event.target;
    if (!t || !t.closest) return;
    if (t.closest("#ra-send")) noteQueued();
    var marker = t.closest("a.ra-marker");
    if (marker) {
      event.preventDefault();
      var found = document.getElementById(target(marker));
      var card = found && (found.closest(".ra-card") || found);  // a second quote of a paragraph: its shared card
      hidePreview();
      if (card) { card.scrollIntoView({block: "nearest", behavior: "smooth"}); flash(card); }
      return;
    }
    var goto = t.closest("a.ra-goto");
    if (goto) {
      event.preventDefault();
      showInFulltext(target(goto));
      return;
    }
    if (t.closest("#ra-settings-toggle")) {  // phone width: settings and the conversation list fold away
      var shown = document.querySelector("#ra-settings");
      if (shown && shown.classList.toggle("ra-open")) shown.scrollIntoView({block: "start"});
      return;
    }
    var suggest = t.closest(".ra-suggest");
    if (suggest) {  // a suggested follow-up: asked as if typed
      event.preventDefault();
      var box = document.querySelector("#ra-input textarea");
      var send = document.querySelector("#ra-send");
      if (box && send) {
        box.value = suggest.textContent;
        box.dispatchEvent(new Event("input", {bubbles: true}));
        setTimeout(function () { send.click(); }, 50);
      }
      return;
    }
    var vote = t.closest(".ra-vote");
    if (vote) {  // 有用/没用: handed to the page's hidden feedback box, which appends it to the local feedback file
      event.preventDefault();
      var voted = vote.closest(".ra-answer");
      var field = document.querySelector("#ra-feedback textarea");
      var submit = document.querySelector("#ra-feedback-send");
      if (voted && field && submit) {
        var text = function (sel) { var e = voted.querySelector(sel); return e ? e.textContent : ""; };
        field.value = JSON.stringify({vote: vote.classList.contains("ra-up") ? "up" : "down",
                                      question: text(".ra-asked"), answer: text(".ra-plain")});
        field.dispatchEvent(new Event("input", {bubbles: true}));
        setTimeout(function () { submit.click(); }, 50);
        voted.querySelectorAll(".ra-vote").forEach(function (b) { b.classList.remove("ra-voted"); });
        vote.classList.add("ra-voted");
      }
      return;
    }
    var copy = t.closest(".ra-copy");
    if (copy) {
      event.preventDefault();
      var answer = copy.closest(".ra-answer");
      var plain = answer && answer.querySelector(".ra-plain");
      if (plain) copyText(plain.textContent, copy);
    }
  }, true);
})();
