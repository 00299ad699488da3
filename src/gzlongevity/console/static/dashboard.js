// The city's dashboard: four charts from the page's JSON block (no inline script).
"use strict";

window.addEventListener("DOMContentLoaded", () => {
  const d = JSON.parse(document.getElementById("series-data").textContent);
  const tiers = { 70: "70–79 岁", 80: "80–89 岁", 90: "90–99 岁", 100: "100 岁以上" };
  const layout = (title, unit) => ({
    title: { text: title }, barmode: "stack", margin: { l: 60, r: 10, t: 40, b: 40 },
    xaxis: { type: "category" }, yaxis: { title: { text: unit }, tickformat: ",~r" },
    legend: { orientation: "h" }, height: 340,
  });
  gz.plot("tier-chart", Object.entries(d.by_tier).map(([tier, y]) => ({ x: d.months, y, type: "bar", name: tiers[tier] || tier })), layout("各月按档次发放金额", "元"));
  gz.plot("district-chart", Object.entries(d.by_district).map(([name, y]) => ({ x: d.months, y, type: "bar", name })), layout("各月按区发放金额", "元"));
  gz.plot("people-chart", [{ x: d.months, y: d.beneficiaries, type: "scatter", mode: "lines+markers", name: "享受人数" }], layout("各月享受人数", "人"));
  gz.plot("arrears-chart", [
    { x: d.months, y: d.arrears, type: "bar", name: "补发" },
    { x: d.months, y: d.overpaid, type: "bar", name: "多领（发现）" },
  ], { ...layout("补发与多领", "元"), barmode: "group" });
  gz.plot("recovery-chart", [
    { x: d.months, y: d.recovery_owed, type: "bar", name: "立案应追回" },
    { x: d.months, y: d.recovered, type: "bar", name: "结案已追回" },
  ], { ...layout("多领追回", "元"), barmode: "group" });
});
