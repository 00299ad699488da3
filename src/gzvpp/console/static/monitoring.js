// 实时监测: the event's minute-level response, polled from the API while the event runs
// (paused while the tab is hidden), drawn as a total chart, a paged table and one
// participant's curve.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("monitor");
  const url = "/api/events/" + encodeURIComponent(root.dataset.event) + "/monitoring";
  const realtime = root.dataset.mode === "realtime";
  const peak = root.dataset.direction === "peak";
  const layout = JSON.parse(root.dataset.layout);
  const totalLayout = JSON.parse(root.dataset.totalLayout);
  const until = Date.parse(root.dataset.until);
  const every = Number(root.dataset.poll) * 1000;
  const state = document.getElementById("monitor-state");
  const kw = (v) => (v === null || v === undefined ? "—" : Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 1 }) + " kW");
  const clock = (t) => (t ? t.slice(11, 16) : "—");
  const cell = (tr, text, cls) => { const td = tr.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; };

  // Where a participant stands now: no readings, its latest response reaching the target or not.
  function standing(p) {
    if (!p.latest) return "nodata";
    return p.reached ? "reached" : "short";
  }
  const STANDING_TEXT = { nodata: "无负荷数据", reached: "已达标", short: "未达标" };

  // 第八条（二）: reached within 5 minutes of the notice, late, or not yet (still in time or not).
  function inTime(p) {
    if (p.baseline_pending) return "待判定（实时基线待计量数据）";
    if (p.target_reached_at) {
      return p.reached_in_time ? "是（" + clock(p.target_reached_at) + "）" : "否，" + clock(p.target_reached_at) + " 才达标";
    }
    return gz.now() <= Date.parse(p.target_at) ? "等待中（限 " + clock(p.target_at) + "）" : "否，未达标";
  }

  const PAGE_SIZE = 20;
  let data = null;
  let page = 1;
  let chosen = null;  // the participant whose curve is drawn
  const filter = document.getElementById("monitor-filter");

  function shown() {
    const which = filter.value;
    return data.participants.filter((p) => which === "all" || (which === "reached") === (standing(p) === "reached"));
  }

  function tiles() {
    const t = data.total;
    const items = [
      [kw(t.target_kw), (realtime ? "调度" : "中标") + "容量合计", false],
      [kw(t.latest_response_kw), "最新响应量合计", Number(t.latest_response_kw) < Number(t.target_kw)],
      [t.reporting + " / " + t.participants, "有负荷数据的参与者", t.reporting < t.participants],
      [String(data.participants.filter((p) => p.reached).length), "当前达标", false],
    ];
    if (realtime) items.push([t.reached_in_time + " / " + t.participants, "5 分钟内达标", t.reached_in_time + t.baseline_pending < t.participants]);
    if (realtime && t.baseline_pending) items.push([t.baseline_pending + " / " + t.participants, "待判定（实时基线待计量数据）", false]);
    const box = document.getElementById("monitor-tiles");
    box.replaceChildren();
    for (const [figure, label, warn] of items) {
      const tile = document.createElement("div");
      tile.className = warn ? "tile warn" : "tile";
      const b = document.createElement("b"); b.textContent = figure;
      const span = document.createElement("span"); span.textContent = label;
      tile.append(b, span);
      box.append(tile);
    }
  }

  function table() {
    const rows = shown();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    page = Math.min(page, pages);
    const body = document.getElementById("monitor-body");
    body.replaceChildren();
    for (const p of rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)) {
      const tr = body.insertRow();
      const where = standing(p);
      tr.className = where === "reached" ? "ok" : "fail";
      tr.dataset.participant = p.participant_id;
      const name = document.createElement("button");
      name.type = "button";
      name.className = "link-button";
      name.textContent = p.participant_name;
      // The polls carry only the chosen participant's minutes: show the choice at once, then
      // ask for its minutes.
      name.addEventListener("click", () => { chosen = p.participant_id; participantChart(); poll(); });
      cell(tr, "").append(name);
      cell(tr, kw(p.target_kw), "num");
      cell(tr, kw(p.baseline_kw), "num");
      cell(tr, kw(p.latest && p.latest.kw), "num");
      cell(tr, kw(p.latest && p.latest.response_kw), "num");
      cell(tr, STANDING_TEXT[where]);
      if (realtime) cell(tr, inTime(p));
      cell(tr, p.latest ? clock(p.latest.at) : "—");
    }
    if (!rows.length) {
      const tr = body.insertRow();
      cell(tr, data.participants.length ? "没有符合条件的参与者。" : "尚无中标或调度的参与者。", "muted").colSpan = realtime ? 8 : 7;
    }
    const pager = document.getElementById("monitor-pager");
    pager.replaceChildren();
    const figures = document.createElement("span");
    figures.textContent = "共 " + rows.length + " 条，第 " + page + " / " + pages + " 页";
    pager.append(figures);
    for (const [text, to, on] of [["上一页", page - 1, page > 1], ["下一页", page + 1, page < pages]]) {
      if (!on) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.addEventListener("click", () => { page = to; table(); });
      pager.append(button);
    }
  }

  // The time axis runs from the first notice (a real-time call precedes its window) or the
  // window's start to its end, and on over any later readings.
  function span(samples) {
    const first = [data.start_at, ...data.participants.map((p) => p.notice_at.slice(0, 16))].sort()[0];
    const last = samples.length ? samples[samples.length - 1].at : data.end_at;
    return [first, last > data.end_at ? last : data.end_at];
  }

  function totalChart() {
    const t = data.total;
    const x = t.samples.map((s) => s.at);
    const range = span(t.samples);
    gz.plot("total-chart", [
      { x, y: t.samples.map((s) => Number(s.response_kw)), name: "总响应量", mode: "lines+markers", line: { color: "#27ae60", width: 3 } },
      { x: range, y: [Number(t.target_kw), Number(t.target_kw)], name: (realtime ? "调度" : "中标") + "容量合计", mode: "lines", line: { color: "#c0392b", dash: "dash" } },
    ], { ...totalLayout, xaxis: { ...totalLayout.xaxis, range } });
  }

  function participantChart() {
    const p = data.participants.find((q) => q.participant_id === chosen) || data.participants[0];
    if (!p) return;
    chosen = p.participant_id;
    document.getElementById("participant-title").textContent = p.participant_name + " 的负荷曲线";
    const range = span(p.samples);
    const x = p.samples.map((s) => s.at);
    // The baseline holds its first and last values before and after the readings (as the
    // server's baseline_at does), so that it and the target load span the window.
    const minutes = [range[0], ...x, range[1]];
    const known = p.samples.map((s) => (s.baseline_kw === null ? null : Number(s.baseline_kw)));
    const fallback = p.baseline_kw === null ? null : Number(p.baseline_kw);
    const baseline = [known.length ? known[0] : fallback, ...known, known.length ? known[known.length - 1] : fallback];
    const goal = baseline.map((b) => (b === null ? null : peak ? b - Number(p.target_kw) : b + Number(p.target_kw)));
    const traces = [
      { x, y: p.samples.map((s) => Number(s.kw)), name: "实际负荷", mode: "lines+markers", line: { color: "#1f6fb2", width: 3 } },
      { x: minutes, y: baseline, name: "基线", mode: "lines", line: { color: "#e67e22", dash: "dot", shape: "hv" } },
      { x: minutes, y: goal, name: "目标负荷（基线" + (peak ? "减" : "加") + "容量）", mode: "lines", line: { color: "#c0392b", dash: "dash", shape: "hv" } },
    ];
    const shapes = realtime && p.target_at ? [{ type: "line", x0: p.target_at, x1: p.target_at, yref: "paper", y0: 0, y1: 1,
      line: { color: "#7f8c8d", dash: "dot", width: 2 }, label: { text: "5 分钟时限", textangle: 0, textposition: "end", xanchor: "left", yanchor: "bottom" } }] : [];
    gz.plot("participant-chart", traces, { ...layout, shapes, xaxis: { ...layout.xaxis, range } });
  }

  function draw() {
    tiles();
    table();
    totalChart();
    participantChart();
  }
  filter.addEventListener("change", () => { page = 1; table(); });

  // Polls every few seconds while the event runs and for a while after (late readings), only
  // while the tab is in view; a closed event is read once.
  let timer = null;
  const live = () => root.dataset.live === "true" && gz.now() < until;
  function schedule() {
    clearTimeout(timer);
    timer = live() && document.visibilityState === "visible" ? setTimeout(poll, every) : null;
  }
  let latest = 0;  // a poll answered after a newer one was asked is dropped
  async function poll() {
    const asked = ++latest;
    const answer = await gz.call("GET", chosen ? url + "?samples_for=" + encodeURIComponent(chosen) : url);
    if (asked !== latest) return;
    if (!answer.ok) {
      state.textContent = Object.values(gz.errors(answer.status, answer.data)).join("；");
      schedule();
      return;
    }
    data = answer.data;
    draw();
    const at = new Date(gz.now()).toLocaleTimeString("zh-CN", { hour12: false });
    state.textContent = live()
      ? "每 " + every / 1000 + " 秒自动刷新，最近刷新 " + at + "（平台时间）。"
      : "响应已结束或事件已不在执行中：以下为已收到的全部分钟级负荷数据。";
    schedule();
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && live()) poll();
    else {
      clearTimeout(timer);
      if (live()) state.textContent = "页面在后台，已暂停刷新。";
    }
  });
  poll();
});
