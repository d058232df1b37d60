/* Results charts: reads the numbers from data.json and draws them with the vendored Chart.js.
 *
 * Each chart sits in <div class="chart-box" data-results-chart="distribution|trend"
 * data-src="/u/<slug>/<period>/data.json" hidden><canvas></canvas></div>. The box stays hidden
 * unless the chart can be drawn: the page's tables hold the same numbers, so nothing is lost
 * without JavaScript, without Chart.js or when the request fails. No inline script, no
 * external request.
 */
(function () {
  "use strict";

  var ANSWER_COLOURS = ["#a4161a", "#d9822b", "#5b9bd5", "#1e6b2e"];
  var LOCALE = document.documentElement.lang === "en" ? "en" : "id-ID";
  var cache = {};

  function load(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        });
    }
    return cache[url];
  }

  function distribution(canvas, data) {
    var codes = data.unsur.map(function (u) { return u.code; });
    var datasets = [0, 1, 2, 3].map(function (i) {
      return {
        label: "Jawaban " + (i + 1),
        data: codes.map(function (code) { return (data.distribution[code] || [0, 0, 0, 0])[i]; }),
        backgroundColor: ANSWER_COLOURS[i]
      };
    });
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: codes, datasets: datasets },
      options: {
        locale: LOCALE,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
                                             title: { display: true, text: "Jumlah jawaban" } } },
        plugins: {
          tooltip: {
            callbacks: {
              title: function (items) {
                var unsur = data.unsur[items[0].dataIndex];
                return unsur.code + " " + unsur.name;
              }
            }
          }
        }
      }
    });
  }

  function trend(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.trend.map(function (p) { return p.label; }),
        datasets: [{
          label: "IKM konversi",
          data: data.trend.map(function (p) { return p.konversi; }),
          borderColor: "#0b5394",
          backgroundColor: "#0b5394",
          spanGaps: false,
          tension: 0
        }]
      },
      options: {
        locale: LOCALE,
        maintainAspectRatio: false,
        scales: { y: { min: 25, max: 100, title: { display: true, text: "IKM konversi" } } }
      }
    });
  }

  var DRAW = { distribution: distribution, trend: trend };

  function hasData(kind, data) {
    if (kind === "distribution") { return data.respondents > 0; }
    return data.trend.some(function (p) { return p.konversi !== null; });
  }

  function init() {
    if (!window.Chart || !window.fetch) { return; }
    document.querySelectorAll("[data-results-chart]").forEach(function (box) {
      var kind = box.getAttribute("data-results-chart");
      var canvas = box.querySelector("canvas");
      if (!DRAW[kind] || !canvas) { return; }
      load(box.getAttribute("data-src")).then(function (data) {
        if (!hasData(kind, data)) { return; }
        box.hidden = false;
        DRAW[kind](canvas, data);
      }).catch(function () { /* the table below shows the same numbers */ });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
