// The search page's script (an ES module: <script type="module">). The
// modules it loads live in search/: tokenize.js (the tokenizer shared with
// src/index/), format.js (the index files), engine.js (ranking),
// synonyms.js, snippet.js and ui.js (the page). Without JavaScript, or in a
// browser without modules, the search page keeps its list of every item.

import { initSearchPage } from "./search/ui.js";

initSearchPage(document, window);
