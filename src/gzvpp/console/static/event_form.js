// The event form: the rules checked as one types, the trigger check, and the server's answer.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const rules = JSON.parse(document.getElementById("rules").textContent);
  const form = document.getElementById("event-form");
  const field = (name) => form.elements[name].value.trim();
  // The scope is chosen from the places the platform knows (checkboxes), never typed.
  const chosen = (name) => Array.from(form.querySelectorAll("input[name=" + name + "]:checked"), (box) => box.value);
  const minute = 60000;

  function show(found) {
    for (const el of form.querySelectorAll(".field-error")) el.textContent = found[el.dataset.for] || "";
  }

  // Returns {field: message} for what the rules refuse, and fills the checklist.
  function check() {
    const found = {}, notes = [];
    const start = Date.parse(field("start_at")), end = Date.parse(field("end_at"));
    const onGrid = (t) => new Date(t).getMinutes() % rules.interval_minutes === 0;
    if (!isNaN(start)) {
      if (!onGrid(start)) found.start_at = "开始时间须在 15 分钟整点上";
      else if (start <= gz.now()) found.start_at = "开始时间须晚于当前平台时间";
      const midnight = new Date(start); midnight.setHours(0, 0, 0, 0);
      if (field("mode") === "day_ahead") {
        const publish = midnight.getTime() + rules.day_ahead.publish * minute;
        const close = midnight.getTime() + rules.day_ahead.bids_close * minute;
        notes.push("日前邀约：最晚 " + new Date(publish).toLocaleString("zh-CN") + " 发布，申报截止 " + new Date(close).toLocaleString("zh-CN"));
        if (!found.start_at && gz.now() > publish) found.start_at = "日前邀约须在响应日前一天 09:00 前发布";
      } else if (field("mode") === "hours_ahead") {
        notes.push("提前4小时邀约：须提前 " + rules.min_lead_minutes / 60 + " 小时以上发布，发布后 1 小时截止申报");
        if (!found.start_at && start - gz.now() < rules.min_lead_minutes * minute) found.start_at = "提前4小时邀约须至少提前 4 小时发布";
      }
    }
    if (!isNaN(end)) {
      if (!onGrid(end)) found.end_at = "结束时间须在 15 分钟整点上";
      else if (!isNaN(start) && end - start < rules.min_window_minutes * minute) found.end_at = "响应时段不少于 " + rules.min_window_minutes + " 分钟（第五条）";
    }
    if (field("demand_kw") !== "" && !(Number(field("demand_kw")) > 0)) found.demand_kw = "需求容量须大于 0";
    const cap = Number(rules.caps[field("direction")]);
    notes.push("价格上限（表 2）：" + (field("direction") === "peak" ? "削峰" : "填谷") + " " + cap + " 元/kWh");
    if (field("price_mode") === "fixed") {
      const price = field("fixed_price");
      if (price === "") found.fixed_price = "固定价格模式须填写价格";
      else if (!(Number(price) >= 0 && Number(price) <= cap)) found.fixed_price = "价格须在 0 ~ " + cap + " 元/kWh 之间";
    } else if (field("fixed_price") !== "") found.fixed_price = "竞价模式不填固定价格";
    if (field("mode") === "realtime" && field("price_mode") === "bidding") found.price_mode = "实时响应只能采用固定价格";
    if (field("direction") === "valley" && field("forecast_max_mw") !== "") found.forecast_max_mw = "填谷事件不做削峰启动核对";
    document.getElementById("checks").innerHTML = "";
    for (const text of notes) {
      const li = document.createElement("li"); li.textContent = text;
      document.getElementById("checks").append(li);
    }
    return found;
  }

  let pending;
  async function triggerCheck() {
    const out = document.getElementById("trigger");
    const mw = field("forecast_max_mw"), start = field("start_at");
    if (!mw || !start || field("direction") !== "peak" || !(Number(mw) > 0)) return;
    const answer = await gz.call("GET", "/api/events/trigger-check?day=" + start.slice(0, 10) + "&forecast_max_mw=" + encodeURIComponent(mw));
    out.textContent = answer.ok ? gz.zh(answer.data.message) : Object.values(gz.errors(answer.status, answer.data)).join("；");
    out.className = answer.ok && answer.data.triggered ? "notice" : "muted";
  }

  form.addEventListener("input", () => {
    show(check());
    clearTimeout(pending);
    pending = setTimeout(triggerCheck, 300);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const found = check();
    show(found);
    if (Object.keys(found).length) return;
    const body = {
      direction: field("direction"), mode: field("mode"),
      start_at: field("start_at") + (field("start_at").length === 16 ? ":00" : ""),
      end_at: field("end_at") + (field("end_at").length === 16 ? ":00" : ""),
      demand_kw: field("demand_kw"), price_mode: field("price_mode"),
      scope: { substations: chosen("substations"), feeders: chosen("feeders") },
    };
    if (field("fixed_price") !== "") body.fixed_price = field("fixed_price");
    if (field("forecast_max_mw") !== "") body.forecast_max_mw = field("forecast_max_mw");
    const answer = await gz.call("POST", "/api/events", body);
    if (answer.ok) window.location = "/console/events/" + answer.data.id;
    else show(gz.errors(answer.status, answer.data));
  });
  check();
});
