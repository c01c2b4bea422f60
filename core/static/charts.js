// Draws every <figure data-chart> of the page with Chart.js (core/static/vendor), from the
// data in its <script type="application/json" class="chart-data"> (written by
// core/views/charts.py). The library is loaded only on pages that have a chart. Labels never
// overlap: category labels are skipped (autoSkip) or ellipsised, the full text is in the
// tooltip; a bar with a link opens it when clicked (drill down).
(() => {
  const figures = document.querySelectorAll("figure[data-chart]");
  if (!figures.length) return;
  const PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997"];
  const HIGHLIGHT = "#fd7e14";
  const LONGEST = 18;
  const here = document.currentScript.src;

  const shorten = (label) => (label.length > LONGEST ? `${label.slice(0, LONGEST - 1)}…` : label);

  function formatter(spec) {
    const number = new Intl.NumberFormat(document.documentElement.lang || "en", {
      minimumFractionDigits: spec.decimals,
      maximumFractionDigits: spec.decimals,
    });
    return (value) => (value === null || value === undefined ? "–" : number.format(value) + spec.suffix);
  }

  // Axis ticks need no cents: compact ("1.2K") so that they stay apart on a phone.
  const compact = new Intl.NumberFormat(document.documentElement.lang || "en", { notation: "compact", maximumFractionDigits: 1 });

  function draw(figure) {
    const spec = JSON.parse(figure.querySelector("script.chart-data").textContent);
    const format = formatter(spec);
    const bars = spec.type === "bar";
    const datasets = spec.datasets.map((set, index) => {
      const colour = PALETTE[index % PALETTE.length];
      return {
        label: set.label,
        data: set.values,
        borderColor: colour,
        backgroundColor: bars
          ? set.values.map((_, position) => (position === spec.highlight ? HIGHLIGHT : colour))
          : colour,
        borderDash: set.dashed ? [6, 4] : [],
        borderWidth: bars ? 0 : 2,
        pointRadius: bars ? 0 : 2.5,
        spanGaps: false,
      };
    });
    const categoryTicks = {
      autoSkip: true,
      maxRotation: 0,
      callback(value) {
        return shorten(String(this.getLabelForValue(value)));
      },
    };
    if (spec.horizontal) categoryTicks.autoSkip = false; // one row per label: every one fits
    const canvas = figure.querySelector("canvas");
    const narrow = figure.clientWidth < 480;
    const valueTicks = {
      callback: (value) => compact.format(value) + spec.suffix,
      maxTicksLimit: narrow ? 4 : 6,
    };
    const category = { ticks: categoryTicks, stacked: spec.stacked, grid: { display: false } };
    const amount = { ticks: valueTicks, stacked: spec.stacked, beginAtZero: true };
    const chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "nearest", intersect: bars },
        scales: spec.horizontal ? { y: category, x: amount } : { x: category, y: amount },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              title: (items) => (items.length ? spec.labels[items[0].dataIndex] : ""),
              label: (item) => `${item.dataset.label ? `${item.dataset.label}: ` : ""}${format(item.raw)}`,
            },
          },
        },
        onClick: (event, elements) => {
          if (spec.links && elements.length) window.location.assign(spec.links[elements[0].index]);
        },
        onHover: (event, elements) => {
          canvas.style.cursor = spec.links && elements.length ? "pointer" : "default";
        },
      },
    });
    figure.chart = chart;
    figure.dataset.drawn = "true";
  }

  function drawAll() {
    figures.forEach(draw);
  }

  if (window.Chart) {
    drawAll();
  } else {
    const library = document.createElement("script");
    library.src = new URL("vendor/chart.umd.min.js", here).href;
    library.addEventListener("load", drawAll);
    document.head.appendChild(library);
  }
})();
