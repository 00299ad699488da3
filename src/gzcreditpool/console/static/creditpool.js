// The dashboard's charts: grouped bars by year, one series per bank, from the page's JSON.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Plotly === "undefined") return;
  const data = JSON.parse(source.textContent);
  const narrow = window.matchMedia("(max-width: 720px)").matches;
  for (const el of document.querySelectorAll("[data-chart]")) {
    const chart = data.charts[el.dataset.chart];
    const traces = chart.series.map((s) => ({ type: "bar", name: s.name, x: data.years, y: s.y,
      hovertemplate: "%{x} 年 " + s.name + "：%{y:,.2f} 万元<extra></extra>" }));
    Plotly.react(el, traces, {
      barmode: "group",
      margin: { l: 60, r: 10, t: 10, b: narrow ? 70 : 40 },
      xaxis: { type: "category", title: { text: "年度" } },
      yaxis: { title: { text: "万元" }, separatethousands: true, tickformat: ",.0f" },
      legend: narrow ? { orientation: "h", y: -0.25 } : {},
      separators: ".,",
    }, { displaylogo: false, responsive: true, displayModeBar: narrow ? false : "hover" });
  }
});
