/* dmp.js, the DMP's first-party tag. On every page:
   <script src="https://EDGE/dmp.js" data-signals='{"c_category":"shoes"}' async></script>
   It posts the page's signals to the edge as DIL does (credentialed, d_rtbd=json, the page URL as
   h_referer), writes each "stuff" entry of the answer as a first-party cookie and fires each "dests"
   pixel. Once a day it asks the edge for the partners' ID syncs, as the ID service does, and fires
   those not fired within their TTL. window.dmp.send({...}) sends more signals; window.dmp.optOut(done)
   opts the browser out. data-auto="false" sends nothing at load. */
(function (w, d) {
  var me = d.currentScript, edge = me.src.replace(/\/dmp\.js([?#].*)?$/, '');
  function send(extra, done) {
    var signals = {}, body = ['d_rtbd=json', 'd_jsonv=1', 'd_dst=1', 'd_nsid=0',
      'h_referer=' + encodeURIComponent(location.href)], k;
    try { signals = JSON.parse(me.getAttribute('data-signals') || '{}'); } catch (e) { }
    for (k in extra) signals[k] = extra[k];
    for (k in signals) body.push(encodeURIComponent(k) + '=' + encodeURIComponent(signals[k]));
    var x = new XMLHttpRequest();
    x.open('POST', edge + '/event?_ts=' + Date.now(), true);
    x.withCredentials = true;
    x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
    x.onload = function () {
      if (x.status == 200) apply(JSON.parse(x.responseText));
      if (done) done(x.status);
    };
    x.onerror = function () { if (done) done(0); };
    x.send(body.join('&'));
  }
  function syncIds() {
    if (d.cookie.indexOf('dmp_ids=') >= 0) return;
    var x = new XMLHttpRequest();
    x.open('GET', edge + '/id?d_visid_ver=1&d_fieldgroup=MC&d_rtbd=json&d_ver=2&_ts=' + Date.now(), true);
    x.withCredentials = true;
    x.onload = function () {
      if (x.status != 200) return;
      d.cookie = 'dmp_ids=1; path=/; max-age=86400; SameSite=Lax';
      (JSON.parse(x.responseText).ibs || []).forEach(function (s) {
        var c = 'dmp_ibs_' + s.id + '=';
        if (d.cookie.indexOf(c) >= 0) return;
        s.url.forEach(function (u) { new Image().src = u; });
        d.cookie = c + '1; path=/; max-age=' + s.ttl * 60 + '; SameSite=Lax';
      });
    };
    x.send();
  }
  function apply(answer) {
    (answer.stuff || []).forEach(function (c) {
      d.cookie = c.cn + '=' + encodeURIComponent(c.cv) + '; path=/; max-age=' + c.ttl * 86400 +
        (c.dmn ? '; domain=' + c.dmn : '') + '; SameSite=Lax';
    });
    (answer.dests || []).forEach(function (t) {
      var url = location.protocol == 'https:' && t.e ? t.e : t.c, f;
      if (t.y == 'iframe') {
        f = d.createElement('iframe');
        f.style.display = 'none';
        f.src = url;
        d.body.appendChild(f);
      } else {
        new Image().src = url;
      }
    });
    w.dmp.answer = answer;
    d.dispatchEvent(new CustomEvent('dmp:answer', { detail: answer }));
  }
  w.dmp = {
    send: send,
    optOut: function (done) {
      var i = new Image();
      i.onload = i.onerror = function () { if (done) done(); };
      i.src = edge + '/demoptout.jpg?_ts=' + Date.now();
    }
  };
  // The ID syncs once the first call has answered: before, a new browser has no visitor cookie,
  // and two calls at once would each be given a visitor of their own.
  if (me.getAttribute('data-auto') != 'false') send({}, syncIds);
})(window, document);
