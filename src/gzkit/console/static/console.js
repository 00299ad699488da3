// Shared helpers of the console: platform time, countdowns, calls to /api, charts.
"use strict";

const gz = (() => {
  // The platform clock may be simulated: count from the server's "now", not the browser's.
  const offset = Date.parse(document.body.dataset.now) - Date.now();
  const now = () => Date.now() + offset;

  const zh = (message) => String(message).split(" / ")[0];

  // The server's tables (console/validation.py): pydantic's error types in Chinese, field labels.
  const texts = JSON.parse(document.getElementById("error-texts")?.textContent || '{"fields":{},"messages":{},"generic":"输入有误"}');
  function message(item) {
    let text = String(item.msg).replace(/^Value error, /, "");
    const template = texts.messages[item.type];
    if (template) text = template.replace(/\{(\w+)\}/g, (_, key) => String((item.ctx || {})[key] ?? ""));
    else if (text.includes(" / ")) text = zh(text);
    else if (!/[\u4e00-\u9fff]/.test(text)) text = texts.generic;
    const named = [...item.loc].reverse().find((part) => typeof part === "string" && !["body", "query", "form", "path"].includes(part));
    const label = named === undefined ? "" : texts.fields[named] || "";
    return label ? label + "：" + text : text;
  }

  // {field: message} from an error answer, in Chinese; 422 lists name the field by "loc".
  function errors(status, data) {
    const detail = data && data.detail;
    if (Array.isArray(detail)) {
      const found = {};
      for (const item of detail) {
        const named = [...item.loc].reverse().find((part) => typeof part === "string");
        const field = item.loc.length > 1 && named !== undefined ? named : "body";
        found[field] = found[field] ? found[field] + "；" + message(item) : message(item);
      }
      return found;
    }
    const titles = { 401: "请先登录", 403: "无权操作", 404: "未找到", 409: "操作冲突" };
    return { body: (titles[status] || "出错了") + "：" + zh(detail || status) };
  }

  // A change made with the sign-in cookie carries the page's form token (see kit/csrf.py).
  const csrfToken = document.querySelector("meta[name=csrf-token]").content;

  async function call(method, url, body) {
    const headers = method === "GET" ? {} : { "X-CSRF-Token": csrfToken };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    return { ok: response.ok, status: response.status, data };
  }

  function span(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    const d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    return (d ? d + " 天 " : "") + (d || h ? h + " 小时 " : "") + m + " 分";
  }

  function tickCountdowns() {
    for (const el of document.querySelectorAll("[data-countdown]")) {
      const left = Date.parse(el.dataset.countdown) - now();
      el.textContent = left > 0 ? "还剩 " + span(left) : "已到期";
      el.classList.toggle("late", left <= 0);
    }
  }

  // A phone's width, as in console.css: no plotly toolbar there (it covers the labels).
  const narrow = window.matchMedia("(max-width: 720px)");

  // 菜单 opens and closes the bar's links on a phone; the bar only collapses once this runs.
  function menu() {
    const bar = document.querySelector("header.top");
    const toggle = bar && bar.querySelector(".menu-toggle");
    if (!toggle) return;
    bar.classList.add("collapsible");
    toggle.addEventListener("click", () => {
      const open = bar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  // Layouts (axes with units, Chinese dates, thousands separators) come from the server's
  // gzvpp.display, shared with the demo report; a page may add shapes or a height.
  function plot(id, traces, layout) {
    Plotly.react(id, traces, layout, {
      displaylogo: false,
      responsive: true,
      displayModeBar: narrow.matches ? false : "hover",
    });
  }

  function forecastChart() {
    const d = JSON.parse(document.getElementById("forecast-data").textContent);
    const traces = [{ x: d.x, y: d.mw, name: "预测统调负荷（MW）", mode: "lines", line: { color: "#1f6fb2" } }];
    if (d.trigger_mw !== null) {
      traces.push({ x: [d.x[0], d.x[d.x.length - 1]], y: [d.trigger_mw, d.trigger_mw],
        name: "削峰启动线：" + d.trigger_label, mode: "lines", line: { color: "#c0392b", dash: "dash" } });
    }
    plot("forecast-chart", traces, d.layout);
  }

  // Each reading is the mean over the 15 minutes from its time: drawn as steps to the end.
  function steps(x, y, end, name, style) {
    return { x: [...x, end], y: [...y, y[y.length - 1]], name, mode: "lines", line: { shape: "hv", ...style } };
  }

  function resultChart() {
    const d = JSON.parse(document.getElementById("result-data").textContent);
    const traces = [steps(d.day, d.day_kw, d.day_end, "实际负荷（全天）", { color: "#1f6fb2" })];
    if (d.window.length) {
      traces.push(
        steps(d.window, d.baseline_kw, d.window_end, "基线（日内调节后）", { color: "#e67e22", width: 3 }),
        steps(d.window, d.baseline_unadjusted_kw, d.window_end, "基线（日内调节前）", { color: "#7f8c8d", dash: "dot", width: 2 }),
        steps(d.window, d.actual_kw, d.window_end, "响应时段实际负荷", { color: "#27ae60", width: 3 }),
      );
    }
    const shapes = d.window.length ? [{ type: "rect", xref: "x", yref: "paper", x0: d.window_start,
      x1: d.window_end, y0: 0, y1: 1, fillcolor: "rgba(241,196,15,0.18)", line: { width: 0 }, layer: "below" }] : [];
    plot("result-chart", traces, { ...d.layout, shapes });
  }

  document.addEventListener("DOMContentLoaded", () => {
    menu();
    tickCountdowns();
    setInterval(tickCountdowns, 1000);
    if (document.getElementById("forecast-data")) forecastChart();
    if (document.getElementById("result-data")) resultChart();
  });

  return { now, zh, errors, call, plot, span };
})();
