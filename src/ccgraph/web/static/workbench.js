// The query workbench: SPARQL syntax highlighting under the textarea, example queries,
// results as a table with links, downloads, and the parser's message on errors.
// Written for ccgraph; no dependencies. Everything from the server goes in as text
// (textContent, never innerHTML).
(function () {
  "use strict";

  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED GRAPH OPTIONAL " +
    "UNION MINUS FILTER BIND VALUES SERVICE SILENT ORDER BY GROUP HAVING LIMIT OFFSET " +
    "DISTINCT REDUCED AS ASC DESC NOT EXISTS IN UNDEF A COUNT SUM MIN MAX AVG SAMPLE " +
    "GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS " +
    "CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS " +
    "STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID " +
    "MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK " +
    "ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE").split(" ");
  var KEYWORD_SET = {};
  KEYWORDS.forEach(function (k) { KEYWORD_SET[k] = true; });

  // One alternation; the first group that matches names the token's class.
  var TOKENS = [
    ["comment", /#[^\n]*/],
    ["string", /"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/],
    ["iri", /<[^<>"{}|^`\\\s]*>/],
    ["var", /[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+/],
    ["lang", /@[A-Za-z]+(?:-[A-Za-z0-9]+)*/],
    ["pname", /[A-Za-z][\w.-]*?:[\w.%-]*|:[\w.%-]+/],
    ["number", /[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)/],
    ["word", /[A-Za-z_][A-Za-z0-9_]*/],
    ["punct", /\^\^|[{}()[\].,;*=!<>|&\/+-]/]
  ];
  var MASTER = new RegExp(TOKENS.map(function (t) { return "(" + t[1].source + ")"; }).join("|"), "g");

  function highlight(text, into) {
    into.textContent = "";
    var last = 0;
    var frag = document.createDocumentFragment();
    MASTER.lastIndex = 0;
    var m;
    while ((m = MASTER.exec(text)) !== null) {
      if (m[0] === "") { MASTER.lastIndex++; continue; }
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var kind = "plain";
      for (var i = 0; i < TOKENS.length; i++) {
        if (m[i + 1] !== undefined) { kind = TOKENS[i][0]; break; }
      }
      if (kind === "word") kind = KEYWORD_SET[m[0].toUpperCase()] ? "keyword" : "plain";
      if (kind === "plain" || kind === "punct") {
        frag.appendChild(document.createTextNode(m[0]));
      } else {
        var span = document.createElement("span");
        span.className = "tok-" + kind;
        span.textContent = m[0];
        frag.appendChild(span);
      }
      last = m.index + m[0].length;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    // a trailing newline needs a character after it to take up a line in <pre>
    frag.appendChild(document.createTextNode("\n"));
    into.appendChild(frag);
  }

  var form = document.getElementById("query-form");
  if (!form) return;
  var editor = document.getElementById("query");
  var code = document.getElementById("highlight");
  var pre = code.parentNode;
  var formatSelect = document.getElementById("format");
  var results = document.getElementById("results");
  var statusBox = document.getElementById("status");
  var errorBox = document.getElementById("error");
  var downloads = document.getElementById("downloads");
  var tableWrap = document.getElementById("table-wrap");
  var graphOut = document.getElementById("graph-out");
  var truncatedBox = document.getElementById("truncated");
  var base = document.getElementById("config").getAttribute("data-base") || "";
  var KNOWN = {};
  try { KNOWN = JSON.parse(document.getElementById("config").getAttribute("data-prefixes") || "{}"); }
  catch (e) { KNOWN = {}; }
  var PREFIXES = {};
  // release=NAME: the page answers from that release; the permalink pins the newest one
  var pinnedInput = document.getElementById("release");
  var permalink = document.getElementById("permalink");
  function pin() {
    return pinnedInput && pinnedInput.value ? "&release=" + encodeURIComponent(pinnedInput.value) : "";
  }

  document.documentElement.classList.add("js");

  function refresh() {
    highlight(editor.value, code);
    if (permalink) {
      permalink.href = "/query?release=" + encodeURIComponent(permalink.getAttribute("data-release")) +
        "&query=" + encodeURIComponent(editor.value);
    }
    pre.scrollTop = editor.scrollTop;
    pre.scrollLeft = editor.scrollLeft;
    readPrefixes();
  }
  function readPrefixes() {
    PREFIXES = {};
    Object.keys(KNOWN).forEach(function (p) { PREFIXES[p] = KNOWN[p]; });
    var re = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    var m;
    while ((m = re.exec(editor.value)) !== null) PREFIXES[m[1] || ""] = m[2];
  }
  editor.addEventListener("input", refresh);
  editor.addEventListener("scroll", function () {
    pre.scrollTop = editor.scrollTop;
    pre.scrollLeft = editor.scrollLeft;
  });
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  refresh();

  // ---------------------------------------------------------------- examples
  var examples = {};
  var tpl = document.getElementById("examples-data");
  if (tpl && tpl.content) {
    Array.prototype.forEach.call(tpl.content.querySelectorAll("textarea"), function (t) {
      examples[t.getAttribute("data-slug")] = t.value;
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (a) {
    a.addEventListener("click", function (e) {
      var slug = a.getAttribute("data-example");
      if (!(slug in examples)) return;
      e.preventDefault();
      editor.value = examples[slug];
      Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (b) {
        b.removeAttribute("aria-current");
      });
      a.setAttribute("aria-current", "true");
      if (window.history && history.replaceState) {
        history.replaceState(null, "", "/query?example=" + encodeURIComponent(slug));
      }
      refresh();
      run();
    });
  });

  // ---------------------------------------------------------------- running
  form.addEventListener("submit", function (e) {
    if (formatSelect.value) return; // a download: let the browser fetch it
    e.preventDefault();
    run();
  });

  function endpointUrl(format) {
    var url = "/sparql?query=" + encodeURIComponent(editor.value) + pin();
    return format ? url + "&format=" + encodeURIComponent(format) : url;
  }

  function show(el, on) { el.hidden = !on; }

  function setDownloads(kind) {
    downloads.textContent = "";
    var names = kind === "graph" ? [["ttl", "Turtle"], ["jsonld", "JSON-LD"], ["nt", "N-Triples"]]
      : [["csv", "CSV"], ["json", "JSON"], ["tsv", "TSV"]];
    downloads.appendChild(document.createTextNode("Download: "));
    names.forEach(function (n, i) {
      var a = document.createElement("a");
      a.href = endpointUrl(n[0]);
      a.textContent = n[1];
      a.setAttribute("download", "results." + (n[0] === "jsonld" ? "jsonld" : n[0]));
      a.className = "download-" + n[0];
      if (i) downloads.appendChild(document.createTextNode(" · "));
      downloads.appendChild(a);
    });
    show(downloads, true);
  }

  var running = null;
  function run() {
    var query = editor.value;
    show(results, true);
    show(errorBox, false);
    show(downloads, false);
    show(tableWrap, false);
    show(graphOut, false);
    if (truncatedBox) show(truncatedBox, false);
    tableWrap.textContent = "";
    graphOut.textContent = "";
    statusBox.textContent = "Running…";
    if (running) running.abort();
    var controller = window.AbortController ? new AbortController() : null;
    running = controller;
    var started = Date.now();
    fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: "query=" + encodeURIComponent(query) + pin(),
      signal: controller ? controller.signal : undefined
    }).then(function (resp) {
      var type = resp.headers.get("Content-Type") || "";
      var truncated = resp.headers.get("X-Result-Truncated") === "true";
      return resp.text().then(function (body) {
        return { ok: resp.ok, status: resp.status, type: type, body: body, truncated: truncated };
      });
    }).then(function (r) {
      var ms = Date.now() - started;
      if (!r.ok) {
        statusBox.textContent = "The query failed (HTTP " + r.status + ").";
        errorBox.textContent = "";
        var h = document.createElement("strong");
        h.textContent = r.status === 400 ? "Query error" : "Error " + r.status;
        var msg = document.createElement("pre");
        msg.className = "error-message";
        msg.textContent = r.body;
        errorBox.appendChild(h);
        errorBox.appendChild(msg);
        show(errorBox, true);
        return;
      }
      if (r.type.indexOf("json") >= 0) {
        var data = JSON.parse(r.body);
        if (typeof data.boolean === "boolean") {
          statusBox.textContent = "ASK: " + (data.boolean ? "yes (true)" : "no (false)") + " · " + ms + " ms";
          return;
        }
        renderTable(data);
        var capped = r.truncated || !!(data.head && data.head.link && data.head.link.length);
        if (truncatedBox) show(truncatedBox, capped);
        var n = data.results.bindings.length;
        statusBox.textContent = n + (n === 1 ? " row" : " rows") + " · " + ms + " ms" +
          (capped ? " · cut at the result cap" : "");
        setDownloads("results");
      } else {
        graphOut.textContent = r.body;
        show(graphOut, true);
        if (truncatedBox) show(truncatedBox, r.truncated);
        statusBox.textContent = "Graph result (Turtle) · " + ms + " ms";
        setDownloads("graph");
      }
    }).catch(function (err) {
      if (err && err.name === "AbortError") return;
      statusBox.textContent = "The server could not be reached.";
      errorBox.textContent = String(err);
      show(errorBox, true);
    });
  }

  function localHref(iri) {
    if (base && iri.indexOf(base + "id/") === 0) return "/doc/" + iri.slice(base.length + 3);
    if (base && iri.indexOf(base + "ontology") === 0) return "/ontology" + iri.slice(base.length + 8);
    return iri;
  }

  function shortName(iri) {
    var best = null;
    Object.keys(PREFIXES).forEach(function (p) {
      var ns = PREFIXES[p];
      if (ns && iri.indexOf(ns) === 0 && (!best || ns.length > PREFIXES[best].length)) {
        var local = iri.slice(ns.length);
        if (/^[\w.-]*$/.test(local)) best = p;
      }
    });
    if (best !== null) return best + ":" + iri.slice(PREFIXES[best].length);
    if (base && iri.indexOf(base) === 0) return iri.slice(base.length);
    return iri;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var a = document.createElement("a");
      a.href = localHref(term.value);
      a.textContent = shortName(term.value);
      a.title = term.value;
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      var span = document.createElement("span");
      span.textContent = term.value;
      if (term["xml:lang"]) span.lang = term["xml:lang"];
      td.appendChild(span);
      var extra = term["xml:lang"] ? "@" + term["xml:lang"]
        : (term.datatype ? shortName(term.datatype) : "");
      if (extra) {
        var tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = " " + extra;
        td.appendChild(tag);
      }
    }
    return td;
  }

  function renderTable(data) {
    var vars = data.head.vars || [];
    var table = document.createElement("table");
    table.className = "results";
    var caption = document.createElement("caption");
    caption.className = "visually-hidden";
    caption.textContent = "Query results";
    table.appendChild(caption);
    var thead = document.createElement("thead");
    var tr = document.createElement("tr");
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = document.createElement("tbody");
    data.results.bindings.forEach(function (row) {
      var r = document.createElement("tr");
      vars.forEach(function (v) { r.appendChild(cell(row[v])); });
      tbody.appendChild(r);
    });
    table.appendChild(tbody);
    tableWrap.textContent = "";
    tableWrap.appendChild(table);
    show(tableWrap, true);
  }

  // the page was opened on an example: run it
  if (/[?&](example|release)=/.test(window.location.search)) run();
})();
