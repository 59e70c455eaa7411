// The page's language, read by gradio's i18n when it starts: Chinese unless the browser asks for English first
// (this is an assistant for Chinese reports). page_language.py puts it first in <head>, before gradio's modules.
(function () {
  var first = (navigator.languages && navigator.languages[0]) || navigator.language || "";
  var lang = /^en\b/i.test(first) ? first : (/^zh-(TW|HK|MO|Hant)/i.test(first) ? "zh-TW" : "zh-CN");
  if (lang !== first) {
    var all = [lang].concat(Array.prototype.slice.call(navigator.languages || []));
    try {
      Object.defineProperty(Navigator.prototype, "language", {get: function () { return lang; }, configurable: true});
      Object.defineProperty(Navigator.prototype, "languages", {get: function () { return all; }, configurable: true});
    } catch (e) { /* an old browser: gradio falls back to its own choice */ }
  }
  document.documentElement.lang = lang;
})();
