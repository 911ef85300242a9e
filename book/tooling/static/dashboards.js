// Live dashboards on the static site (added to pages with a dashboard by book/tooling/offline_site.py).
//
// Each dashboard arrives as static HTML (book/dashboards/page.py): inactive controls, a note, and
// the panel drawn at the settings shown. This script adds a button. On a click it starts, once per
// page, the Pyodide runtime served from this site, unpacks the book's own Python (book-py.zip) into
// it, and from then on every control change calls book.dashboards.live.update, the same Python the
// notebook runs, and puts the panel it returns on the page. Nothing large loads before the click;
// nothing is requested from any other host. Without WebAssembly, or if anything fails, the
// dashboard stays as it was and the note says why.
(function () {
  "use strict";
  var base = document.currentScript.src.replace(/[^\/]*$/, "");  // .../_static/offline/
  var DOWNLOAD_BYTES = 0; // set by the site build to the size of the runtime and the book's code
  var runtime = null;     // a promise of the Python update function, made once per page

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(tag);
    });
  }

  // the page's language (the German edition's pages say lang="de"): the script's own words, and
  // the book's Python told to speak it (book/language.py)
  var LANG = (document.documentElement.lang || "en").slice(0, 2) === "de" ? "de" : "en";
  var WORDS = {
    en: {
      downloading: "Downloading Python", about: " (about ", firstTime: " MB the first time; your browser keeps it for the next page)",
      loading: "Loading the book's Python…", starting: "Starting Python in your browser…",
      cannot: "That setting cannot be shown: ", failed: "the dashboard could not compute this setting; try a value nearer the slider's middle",
      live: "Live: the controls now recompute the chart and the texts here, in your browser, with the book's own Python.",
      noPython: "Python could not start in this browser (", noPythonRest: "). The dashboard stays at the settings shown; to use it, run its notebook: in JupyterLab, or in your browser from the exercise pages' link “Work these exercises in your browser”.",
      makeLive: "Make this dashboard live", downloads: " (downloads about ", once: " MB once)"
    },
    de: {
      downloading: "Python wird heruntergeladen", about: " (etwa ", firstTime: " MB beim ersten Mal; Ihr Browser behält es für die nächste Seite)",
      loading: "Der Python-Code des Buchs wird geladen…", starting: "Python wird in Ihrem Browser gestartet…",
      cannot: "Diese Einstellung lässt sich nicht anzeigen: ", failed: "das Dashboard konnte diese Einstellung nicht berechnen; versuchen Sie einen Wert näher an der Mitte des Schiebereglers",
      live: "Live: Die Regler berechnen das Diagramm und die Texte jetzt hier neu, in Ihrem Browser, mit dem eigenen Python-Code des Buchs.",
      noPython: "Python konnte in diesem Browser nicht starten (", noPythonRest: "). Das Dashboard bleibt bei den gezeigten Einstellungen; um es zu nutzen, führen Sie sein Notebook aus: in JupyterLab oder in Ihrem Browser über den Link „Diese Übungen im Browser bearbeiten“ auf den Übungsseiten.",
      makeLive: "Dieses Dashboard live schalten", downloads: " (lädt einmalig etwa ", once: " MB herunter)"
    }
  }[LANG];

  // what the note says while Python starts: every dashboard on the page that is waiting hears it
  var progress = [];
  function stage(text) { progress.forEach(function (say) { say(text); }); }

  function startRuntime() {
    if (runtime === null) {
      runtime = (async function () {
        if (typeof WebAssembly !== "object") {
          throw new Error("this browser cannot run WebAssembly");
        }
        var indexURL = base + "pyodide/";
        stage(WORDS.downloading + (DOWNLOAD_BYTES ? WORDS.about + Math.round(DOWNLOAD_BYTES / 1e6) +
              WORDS.firstTime : "") + "…");
        await loadScript(indexURL + "pyodide.js");
        var pyodide = await window.loadPyodide({ indexURL: indexURL });
        stage(WORDS.loading);
        var response = await fetch(base + "book-py.zip");
        if (!response.ok) {
          throw new Error("could not load the book's code (HTTP " + response.status + ")");
        }
        pyodide.unpackArchive(await response.arrayBuffer(), "zip", { extractDir: "/home/pyodide/lib" });
        pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide/lib')");
        if (LANG !== "en") {
          pyodide.runPython("import book.language; book.language.use_language('" + LANG + "')");
        }
        return pyodide.pyimport("book.dashboards.live").update;
      })();
      runtime.catch(function () { runtime = null; });  // a later click may try again
    }
    return runtime;
  }

  function values(section) {
    var result = {};
    section.querySelectorAll("[data-control]").forEach(function (input) {
      var name = input.dataset.control;
      if (input.type === "radio") {
        if (input.checked) { result[name] = input.value; }
      } else if (input.type === "range") {
        if (!(name in result)) { result[name] = input.dataset.log ? String(fromLog(input)) : input.value; }
      } else {
        result[name] = input.value;  // a select, or the exact-value box (it wins over its slider)
      }
    });
    return result;
  }

  // a log slider moves in log10 of its value, rounded to the control's step (1, 2, 4 ... 16,384)
  function fromLog(range) {
    var step = parseFloat(range.dataset.step), low = parseFloat(range.dataset.min);
    var high = parseFloat(range.dataset.max);
    // the slider's last position stands for the maximum itself (the log grid need not reach it)
    if (parseFloat(range.value) + parseFloat(range.step) / 2 >= parseFloat(range.max)) { return high; }
    var value = low + Math.round((Math.pow(10, parseFloat(range.value)) - low) / step) * step;
    return Math.min(high, Math.max(low, Math.round(value * 1e9) / 1e9));
  }

  function show(section, update) {
    var started = performance.now();
    var answer;
    try {
      answer = JSON.parse(update(section.dataset.dashboard, JSON.stringify(values(section))));
    } catch (failure) {  // never a console error: the reader sees what went wrong, in place
      answer = { error: WORDS.failed, control: null };
    }
    var error = section.querySelector(".book-dashboard-error");
    section.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    section.querySelectorAll(".book-control-error").forEach(function (note) { note.remove(); });
    if (answer.error) {
      error.textContent = WORDS.cannot + answer.error + ".";
      // mark the control the message names, and repeat the message beside it (on a phone the
      // dashboard's own message may be a screen away)
      var inputs = answer.control ? section.querySelectorAll('[data-control="' + answer.control + '"]') : [];
      inputs.forEach(function (input) { input.setAttribute("aria-invalid", "true"); });
      if (inputs.length) {
        var beside = document.createElement("span");
        beside.className = "book-control-error";
        beside.textContent = answer.error;
        inputs[inputs.length - 1].closest(".book-control").append(beside);
      }
      return;
    }
    error.textContent = "";
    section.querySelector(".book-dashboard-panel").innerHTML = answer.html;
    section.dispatchEvent(new CustomEvent("book-dashboard-updated",
      { detail: { ms: performance.now() - started } }));
  }

  function wire(section, update) {
    var pending = false;
    function soon() {  // at most one update per frame while a slider moves
      if (pending) { return; }
      pending = true;
      requestAnimationFrame(function () { pending = false; show(section, update); });
    }
    section.querySelectorAll("input[type=range][data-control]").forEach(function (range) {
      var exact = section.querySelector("#" + range.id + "-exact");
      range.addEventListener("input", function () {
        exact.value = range.dataset.log ? fromLog(range) : range.value;
        if (range.dataset.log) { range.setAttribute("aria-valuetext", exact.value); }
        soon();
      });
      exact.addEventListener("change", function () {
        if (exact.value !== "") {
          var typed = parseFloat(exact.value);
          if (!range.dataset.log) { range.value = exact.value; }
          else if (typed > 0) { range.value = Math.log10(typed); range.setAttribute("aria-valuetext", exact.value); }
        }
        soon();
      });
    });
    section.querySelectorAll("select[data-control], input[type=radio][data-control]").forEach(function (input) {
      input.addEventListener("change", soon);
    });
  }

  function goLive(section, button, note) {
    button.disabled = true;
    var say = function (text) { note.textContent = text; };
    progress.push(say);
    say(WORDS.starting);
    startRuntime().then(function (update) {
      progress.splice(progress.indexOf(say), 1);
      section.querySelector("fieldset.book-dashboard-inactive").disabled = false;
      wire(section, update);
      show(section, update);
      section.dataset.live = "true";
      var moveFocus = document.activeElement === button || document.activeElement === document.body;
      button.remove();
      note.textContent = WORDS.live;
      // a keyboard reader goes on from the first control, not from the top of the page
      var first = section.querySelector("fieldset.book-dashboard-inactive [data-control]:not([type=radio]), " +
                                        "fieldset.book-dashboard-inactive input[type=radio]:checked");
      if (moveFocus && first) { first.focus(); }
    }).catch(function (error) {
      progress.splice(progress.indexOf(say), 1);
      button.disabled = false;
      note.textContent = WORDS.noPython + error.message + WORDS.noPythonRest;
    });
  }

  // what the note says on the site, where the button is (book/dashboards/page.py: SITE_NOTE; the
  // stored note speaks to a notebook's reader too)
  var SITE_NOTE = {};

  function prepare(section) {
    var note = section.querySelector(".book-dashboard-note");
    if (SITE_NOTE[LANG]) { note.textContent = SITE_NOTE[LANG]; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "book-dashboard-live";
    button.textContent = WORDS.makeLive +
      (DOWNLOAD_BYTES ? WORDS.downloads + Math.round(DOWNLOAD_BYTES / 1e6) + WORDS.once : "");
    var error = document.createElement("p");
    error.className = "book-dashboard-error";
    error.setAttribute("role", "alert");
    note.setAttribute("aria-live", "polite");
    note.after(button, error);
    button.addEventListener("click", function () { goLive(section, button, note); });
  }

  function init() { document.querySelectorAll("section.book-dashboard").forEach(prepare); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
