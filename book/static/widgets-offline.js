// Loaded after require.js and before embed-amd.js (order of nb_ipywidgets_js).
(function () {
  // 1) Point the AMD ids bundled in embed-amd.js at the vendored folder. RequireJS
  //    otherwise derives module.uri (used as webpack publicPath for the Font Awesome
  //    fonts) from the page directory, e.g. chapters/@jupyter-widgets/<hash>.woff2 -> 404.
  var dir = document.currentScript.src.replace(/[^\/]*$/, "html-manager/");
  var ids = ["base", "base7", "controls", "controls7", "output", "html-manager",
             "html-manager/dist/libembed-amd"];
  var paths = {};
  ids.forEach(function (id) { paths["@jupyter-widgets/" + id] = dir + id.replace(/\//g, "_"); });
  window.require.config({ paths: paths });
  // 2) ipywidgets' typeset() calls the MathJax 2 API (MathJax.Hub.Queue); Sphinx loads
  //    MathJax 3. Shim it so widget labels are typeset instead of throwing.
  window.addEventListener("load", function () {
    var MJ = window.MathJax;
    if (MJ && !MJ.Hub && MJ.startup) {
      MJ.Hub = { Queue: function (cmd) {
        MJ.startup.promise.then(function () { return MJ.typesetPromise([cmd[2]]); });
      } };
    }
  });
})();
