/**
 * The snippet a website includes: <script src="https://switchboard.example/track.js" async></script>.
 * It starts (or resumes) a visit with the page's UTM values, swaps the number in every element marked
 * `data-switchboard-number` (text and tel: links), pings while the page is open, and exposes
 * `Switchboard.sessionId` for the site's "call me back" form.
 */
export const trackScript = `(function () {
  'use strict';
  var me = document.currentScript;
  var base = me ? new URL(me.src).origin : '';
  var KEY = 'switchboard.visitor';
  var PING_MS = 60000;
  var visitor;
  try {
    visitor = localStorage.getItem(KEY);
    if (!visitor) { visitor = 'v' + Math.random().toString(36).slice(2) + Date.now().toString(36); localStorage.setItem(KEY, visitor); }
  } catch (e) { visitor = undefined; }
  var q = new URLSearchParams(location.search);
  var body = { visitorId: visitor, landingUrl: location.href.slice(0, 2000) };
  ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'].forEach(function (k) { var v = q.get(k); if (v) body[k] = v.slice(0, 200); });
  if (document.referrer) body.referrer = document.referrer.slice(0, 2000);
  var api = window.Switchboard = window.Switchboard || {};
  function post(path, payload) {
    return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload || {}), keepalive: true });
  }
  function format(e164) {
    var m = /^\\+7(\\d{3})(\\d{3})(\\d{2})(\\d{2})$/.exec(e164);
    return m ? '+7 (' + m[1] + ') ' + m[2] + '-' + m[3] + '-' + m[4] : e164;
  }
  function show(number) {
    if (!number) return;
    document.querySelectorAll('[data-switchboard-number]').forEach(function (el) {
      el.textContent = format(number);
      if (el.tagName === 'A') el.setAttribute('href', 'tel:' + number);
    });
  }
  function start() {
    return post('/api/track/sessions', body).then(function (r) { return r.ok ? r.json() : null; }).then(function (s) {
      if (!s) return;
      api.sessionId = s.sessionId; api.number = s.number; show(s.number);
    });
  }
  function ping() {
    if (!api.sessionId || document.hidden) return;
    post('/api/track/sessions/' + api.sessionId + '/ping').then(function (r) { if (r.status === 410) return start(); });
  }
  api.request = function (form) { return post('/api/track/requests', Object.assign({ sessionId: api.sessionId }, form)); };
  var go = function () { start(); setInterval(ping, PING_MS); };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go); else go();
})();
`;
