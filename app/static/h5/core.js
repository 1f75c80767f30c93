/* The H5 page's core: the API token (sessionStorage), fetch wrapper, DOM builder, hash router. */
"use strict";
(function () {
  var TOKEN_KEY = "fangfei.h5.token";
  var meta = document.querySelector('meta[name="api-token"]');
  if (meta && meta.content) {
    sessionStorage.setItem(TOKEN_KEY, meta.content);
    meta.parentNode.removeChild(meta);
  }

  var FF = (window.FF = { routes: [] });

  FF.api = function (method, path, body, headers) {
    var opts = { method: method, headers: headers || {}, credentials: "same-origin", cache: "no-store" };
    opts.headers.Authorization = "Bearer " + (sessionStorage.getItem(TOKEN_KEY) || "");
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch("/api/v1" + path, opts).then(
      function (res) {
        if (res.status === 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          window.location.replace("/h5/" + window.location.hash);
        }
        return res.json().then(
          function (data) { return { status: res.status, ok: res.ok, data: data }; },
          function () { return { status: res.status, ok: false, data: { message: "服务器忙，请稍后再试。" } }; }
        );
      },
      function () { return { status: 0, ok: false, data: { message: "网络不太好，请检查网络后再试。" } }; }
    );
  };

  /* h("p", {class: "x"}, "text", child) -> an element; text always goes in as text, never as HTML. */
  FF.h = function (tag, attrs) {
    var el = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key) || attrs[key] === null || attrs[key] === false) continue;
      if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), attrs[key]);
      else if (key === "text") el.textContent = attrs[key];
      else if (attrs[key] === true) el.setAttribute(key, "");
      else el.setAttribute(key, attrs[key]);
    }
    for (var i = 2; i < arguments.length; i++) FF.append(el, arguments[i]);
    return el;
  };
  FF.append = function (el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { FF.append(el, c); });
    else el.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  };

  FF.say = function (text, ok) {
    var box = document.getElementById("msg");
    box.textContent = text || "";
    box.hidden = !text;
    box.className = ok ? "msg ok" : "msg";
  };

  /* Show a page: replace <main>, move focus to its heading (screen readers and keyboard users). */
  FF.show = function (children) {
    var view = document.getElementById("view");
    view.textContent = "";
    FF.append(view, children);
    var heading = view.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      document.title = heading.textContent + " - 防范非法集资知识答题";
    }
    window.scrollTo(0, 0);
  };

  FF.fail = function (res) {
    FF.say((res.data && res.data.message) || "出了点问题，请稍后再试。");
  };

  FF.route = function (pattern, render) { FF.routes.push([pattern, render]); };

  FF.go = function (hash, replace) {
    if (replace) window.location.replace(hash);
    else window.location.hash = hash;
  };

  FF.dateText = function (iso) {
    if (!iso) return "";
    var d = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  };

  function dispatch() {
    var hash = window.location.hash.replace(/^#/, "") || "/";
    FF.say("");
    var links = document.querySelectorAll(".tabs a");
    for (var i = 0; i < links.length; i++) {
      var target = links[i].getAttribute("href").slice(1);
      var current = target === "/" ? hash === "/" : hash.indexOf(target) === 0;
      if (current) links[i].setAttribute("aria-current", "page");
      else links[i].removeAttribute("aria-current");
    }
    for (var j = 0; j < FF.routes.length; j++) {
      var m = hash.match(FF.routes[j][0]);
      if (m) return FF.routes[j][1](m);
    }
    FF.go("#/", true);
  }
  window.addEventListener("hashchange", dispatch);
  document.addEventListener("DOMContentLoaded", function () { setTimeout(dispatch, 0); });
})();
