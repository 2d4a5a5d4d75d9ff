// SPDX-License-Identifier: MIT
// skilld portal: progressive enhancement only. Without this script every
// page still shows everything; with it the index filters as you type, the
// header search box shows results as you type (from /api/v1/search), and the
// checklist keeps its state in localStorage, shows progress, resets, copies
// itself as Markdown and starts a review run; a review's page records
// verdicts, notes and evidence, answers to keys and follows other
// reviewers' changes; code blocks get a working copy button. No framework,
// nothing from another host.
(function () {
	"use strict";

	// Whitespace runs folded to one space, ends trimmed.
	function squash(s) {
		return (s || "").replace(/\s+/g, " ").trim();
	}

	// True when a key press belongs to a text field, not to the page.
	function typingIn(el) {
		if (!el) return false;
		var tag = el.tagName;
		return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
	}

	// Copies text to the clipboard; where the clipboard API is unavailable
	// (plain http on a LAN address) shows it selected in a textarea after
	// host's toolbar for a manual copy. say(message) reports.
	function copyText(text, host, label, say) {
		function fallback() {
			var area = host.querySelector("textarea.md-copy");
			if (!area) {
				area = document.createElement("textarea");
				area.className = "md-copy";
				area.readOnly = true;
				area.setAttribute("aria-label", label);
				var toolbar = host.querySelector(".toolbar");
				toolbar.parentNode.insertBefore(area, toolbar.nextSibling);
			}
			area.value = text;
			area.focus();
			area.select();
			var ok = false;
			try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
			say(ok ? "Copied" : "Selected: press Ctrl+C (⌘C) to copy");
		}
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(text).then(function () { say("Copied"); }, fallback);
		} else {
			fallback();
		}
	}

	// "/" typed outside a text field focuses input, its text selected.
	function slashFocuses(input) {
		document.addEventListener("keydown", function (e) {
			if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
			if (typingIn(document.activeElement)) return;
			e.preventDefault();
			input.focus();
			input.select();
		});
	}

	// ---- index: filter as you type ----

	// Every skill on the page (data-mode="page"): the cards are filtered
	// here, word by word over each card's text. Otherwise the server does
	// it: each pause in typing asks for the page of the index with these
	// words (the form's own GET, which works without this script) and puts
	// its results in place of these.
	function setupFilter() {
		var form = document.querySelector("form.filter");
		var input = document.getElementById("filter");
		if (!form || !input) return;
		form.classList.add("js");
		if (form.getAttribute("data-mode") === "page") setupPageFilter(form, input);
		else setupServerFilter(form, input);
		slashFocuses(input);
	}

	function setupPageFilter(form, input) {
		var cards = Array.prototype.slice.call(document.querySelectorAll("#cards .card"));
		var groups = Array.prototype.slice.call(document.querySelectorAll("#cards .collection"));
		var counter = form.querySelector(".filter-count");
		var empty = document.querySelector(".filter-empty");
		var total = cards.length;
		var haystacks = cards.map(function (card) {
			return squash(card.textContent).toLowerCase();
		});

		function apply() {
			var words = squash(input.value).toLowerCase().split(" ").filter(Boolean);
			var shown = 0;
			cards.forEach(function (card, i) {
				var hit = words.every(function (w) { return haystacks[i].indexOf(w) !== -1; });
				card.hidden = !hit;
				if (hit) shown++;
			});
			groups.forEach(function (g) {
				g.hidden = !g.querySelector(".card:not([hidden])");
			});
			if (counter) {
				var noun = total === 1 ? " skill" : " skills";
				counter.textContent = words.length ? shown + " of " + total + noun : total + noun;
			}
			if (empty) empty.hidden = shown !== 0 || total === 0;
		}

		input.addEventListener("input", apply);
		input.addEventListener("keydown", function (e) {
			if (e.key === "Escape" && input.value) {
				input.value = "";
				apply();
			}
		});
		// the cards shown already are the answer
		form.addEventListener("submit", function (e) { e.preventDefault(); });
		if (input.value) apply();
	}

	function setupServerFilter(form, input) {
		var browse = document.getElementById("browse");
		var counter = form.querySelector(".filter-count");
		var seq = 0;
		var timer = null;
		if (!browse) return;

		// "/" with the form's fields: the words and the filters it keeps,
		// from the first page.
		function target() {
			var params = new URLSearchParams();
			new FormData(form).forEach(function (v, k) { if (v) params.append(k, v); });
			var qs = params.toString();
			return "/" + (qs ? "?" + qs : "");
		}

		function load() {
			var mine = ++seq;
			var url = target();
			browse.setAttribute("aria-busy", "true");
			fetch(url, { headers: { Accept: "text/html" } }).then(function (res) {
				return res.text().then(function (html) { return { ok: res.ok, html: html }; });
			}).then(function (r) {
				if (mine !== seq) return;
				var doc = new DOMParser().parseFromString(r.html, "text/html");
				var next = doc.getElementById("browse");
				var count = doc.querySelector(".filter-count");
				if (!r.ok || !next) {
					// a refused query (400): its message where the results were
					var msg = doc.querySelector(".error-message");
					if (counter) counter.textContent = msg ? msg.textContent : "The filter could not run";
					return;
				}
				browse.replaceChildren.apply(browse, Array.prototype.slice.call(next.childNodes));
				if (counter && count) counter.textContent = count.textContent;
				history.replaceState(null, "", url);
			}).catch(function () {
				if (mine === seq && counter) counter.textContent = "The server did not answer";
			}).then(function () {
				if (mine === seq) browse.removeAttribute("aria-busy");
			});
		}

		input.addEventListener("input", function () {
			clearTimeout(timer);
			timer = setTimeout(load, 200);
		});
		input.addEventListener("keydown", function (e) {
			if (e.key === "Escape" && input.value) {
				input.value = "";
				clearTimeout(timer);
				load();
			}
		});
		form.addEventListener("submit", function (e) {
			e.preventDefault();
			clearTimeout(timer);
			load();
		});
	}

	// ---- contents and side panel ----

	// The contents and the index's filters (closed in the page, for a
	// phone) open where they sit in a side column; the side panel sticks
	// only while it fits in the window, so it never needs a scroll bar of
	// its own.
	function setupSide() {
		var wide = window.matchMedia("(min-width: 960px)");
		// the lower of the side column's two boxes: the one that may stick
		var box = document.querySelector(".with-aside.toc-last > .toc") ||
			document.querySelector(".with-aside > .side");
		if (wide.matches) {
			document.querySelectorAll("details[data-wide-open]").forEach(function (d) { d.open = true; });
		}
		if (!box) return;

		function fit() {
			box.classList.add("is-sticky");
			var top = parseFloat(getComputedStyle(box).top) || 0;
			if (!wide.matches || box.offsetHeight + top * 2 > window.innerHeight)
				box.classList.remove("is-sticky");
		}
		fit();
		window.addEventListener("resize", fit);
		// a panel opened, closed or filled (the reviews) changes the height
		if (window.ResizeObserver) new ResizeObserver(fit).observe(box);
	}

	// The sticky toolbar's height (a checklist's, a review's) as
	// --toolbar-h, the stylesheet's scroll padding: what the keyboard
	// focuses (Shift+Tab back up a checklist) or a link targets comes into
	// view below the toolbar, not under it, however many lines it wraps to.
	function setupToolbar() {
		var bar = document.querySelector(".toolbar");
		if (!bar) return;

		function measure() {
			document.documentElement.style.setProperty("--toolbar-h", bar.offsetHeight + "px");
		}
		measure();
		if (window.ResizeObserver) new ResizeObserver(measure).observe(bar);
		else window.addEventListener("resize", measure);
	}

	// ---- header search: results as you type ----

	var MARK_OPEN = "\uE000";
	var MARK_CLOSE = "\uE001";
	var KIND_LABELS = { skill: "Skill", reference: "Reference", checklist: "Checklist item", eval: "Eval" };

	// Appends a snippet to el: text nodes, each match in a <mark>.
	function appendSnippet(el, text) {
		var open = false;
		var parts = (text || "").split(/([\uE000\uE001])/);
		var target = el;
		parts.forEach(function (part) {
			if (part === MARK_OPEN) {
				if (!open) {
					target = document.createElement("mark");
					el.appendChild(target);
					open = true;
				}
			} else if (part === MARK_CLOSE) {
				target = el;
				open = false;
			} else if (part) {
				target.appendChild(document.createTextNode(part));
			}
		});
	}

	// A same-origin path from the API, or null.
	function localUrl(u) {
		return typeof u === "string" && u.charAt(0) === "/" && u.charAt(1) !== "/" && u.charAt(1) !== "\\" ? u : null;
	}

	function setupSearch() {
		var form = document.querySelector("form.site-search");
		var input = form ? form.querySelector("input[name=q]") : null;
		if (!input) return;
		var list = document.createElement("ul");
		list.id = "site-search-list";
		list.className = "search-pop";
		list.setAttribute("role", "listbox");
		list.setAttribute("aria-label", "Search results");
		list.hidden = true;
		form.appendChild(list);
		input.setAttribute("role", "combobox");
		input.setAttribute("aria-autocomplete", "list");
		input.setAttribute("aria-controls", list.id);
		input.setAttribute("aria-expanded", "false");

		var options = [];   // { el, url }
		var active = -1;
		var timer = null;
		var seq = 0;
		var shownFor = null;

		function close() {
			list.hidden = true;
			input.setAttribute("aria-expanded", "false");
			setActive(-1);
		}

		function open() {
			if (!list.firstChild) return;
			list.hidden = false;
			input.setAttribute("aria-expanded", "true");
		}

		function setActive(i) {
			if (active >= 0 && options[active]) options[active].el.setAttribute("aria-selected", "false");
			active = i;
			if (active >= 0 && options[active]) {
				options[active].el.setAttribute("aria-selected", "true");
				input.setAttribute("aria-activedescendant", options[active].el.id);
				options[active].el.scrollIntoView({ block: "nearest" });
			} else {
				input.removeAttribute("aria-activedescendant");
			}
		}

		function note(text) {
			var li = document.createElement("li");
			li.className = "pop-note";
			li.setAttribute("role", "presentation");
			li.textContent = text;
			list.appendChild(li);
		}

		function render(q, answer) {
			while (list.firstChild) list.removeChild(list.firstChild);
			options = [];
			active = -1;
			input.removeAttribute("aria-activedescendant");
			shownFor = q;
			var data = answer && Array.isArray(answer.data) ? answer.data : [];
			data.forEach(function (hit) {
				var url = localUrl(hit && hit.url);
				if (!url) return;
				var li = document.createElement("li");
				li.id = "site-search-opt-" + options.length;
				li.setAttribute("role", "option");
				li.setAttribute("aria-selected", "false");
				var a = document.createElement("a");
				a.href = url;
				a.tabIndex = -1;
				var title = document.createElement("span");
				title.className = "pop-title";
				var kind = KIND_LABELS[hit.kind];
				if (kind) {
					var badge = document.createElement("span");
					badge.className = "badge kind kind-" + hit.kind;
					badge.textContent = kind;
					title.appendChild(badge);
				}
				title.appendChild(document.createTextNode(hit.title || hit.path || hit.skill || url));
				var meta = document.createElement("span");
				meta.className = "pop-meta";
				meta.textContent = hit.skill || "";
				var snippet = document.createElement("span");
				snippet.className = "pop-snippet";
				appendSnippet(snippet, hit.snippet);
				a.appendChild(title);
				a.appendChild(meta);
				a.appendChild(snippet);
				li.appendChild(a);
				list.appendChild(li);
				options.push({ el: li, url: url });
			});
			if (answer && answer.error) note(answer.error);
			else if (!options.length) note("No results. Press Enter to search everything.");
			var total = answer && typeof answer.total === "number" ? answer.total : 0;
			if (total > options.length) {
				var li = document.createElement("li");
				li.className = "pop-all";
				li.setAttribute("role", "presentation");
				var a = document.createElement("a");
				a.href = "/search?q=" + encodeURIComponent(q);
				a.tabIndex = -1;
				a.textContent = "All " + total + " results";
				li.appendChild(a);
				list.appendChild(li);
			}
			if (document.activeElement === input) open();
		}

		function lookup() {
			var q = input.value.trim();
			var mine = ++seq;
			// Only punctuation is a 400 from the API: nothing to ask for.
			if (!q || !/[0-9A-Za-z\u0080-\uFFFF]/.test(q)) {
				close();
				while (list.firstChild) list.removeChild(list.firstChild);
				options = [];
				shownFor = null;
				return;
			}
			// The word being typed is a prefix: "idempotent cons" finds consumers.
			var ask = q;
			var last = q.split(/\s+/).pop();
			if (/[0-9A-Za-z\u0080-\uFFFF]$/.test(q) && !/^[-"]/.test(last) && (q.split('"').length % 2) === 1)
				ask = q + "*";
			fetch("/api/v1/search?q=" + encodeURIComponent(ask) + "&limit=8", {
				headers: { Accept: "application/json" }
			}).then(function (res) {
				return res.json().then(function (body) {
					if (res.ok) return body;
					var msg = body && body.error && body.error.message;
					return { data: [], error: msg || "Search failed (" + res.status + ")" };
				});
			}).then(function (answer) {
				if (mine === seq) render(q, answer);
			}, function () {
				if (mine === seq) render(q, { data: [], error: "Search is not reachable" });
			});
		}

		input.addEventListener("input", function () {
			clearTimeout(timer);
			timer = setTimeout(lookup, 150);
		});
		input.addEventListener("keydown", function (e) {
			if (e.key === "ArrowDown" || e.key === "ArrowUp") {
				if (!options.length) return;
				e.preventDefault();
				if (list.hidden) {
					open();
					setActive(e.key === "ArrowDown" ? 0 : options.length - 1);
					return;
				}
				var next = active + (e.key === "ArrowDown" ? 1 : -1);
				if (next >= options.length) next = 0;
				if (next < -1) next = options.length - 1;
				setActive(next);
			} else if (e.key === "Enter") {
				if (!list.hidden && active >= 0 && options[active]) {
					e.preventDefault();
					window.location.assign(options[active].url);
				}
				// otherwise the form submits to /search
			} else if (e.key === "Escape") {
				if (!list.hidden) {
					e.preventDefault();
					close();
				}
			}
		});
		input.addEventListener("focus", function () {
			if (shownFor !== null && shownFor === input.value.trim()) open();
		});
		input.addEventListener("blur", function () { close(); });
		// Keep the focus in the box while a result is clicked.
		list.addEventListener("mousedown", function (e) { e.preventDefault(); });

		// "/" focuses the box, except on the index where it is the filter's.
		if (!document.getElementById("filter")) slashFocuses(input);
	}

	// ---- checklist: state, progress, reset, copy ----

	// localStorage that may be missing or refuse (private mode, local files).
	var store = {
		get: function (key) {
			try { return window.localStorage.getItem(key); } catch (e) { return null; }
		},
		set: function (key, value) {
			try { window.localStorage.setItem(key, value); } catch (e) { /* not kept */ }
		},
		remove: function (key) {
			try { window.localStorage.removeItem(key); } catch (e) { /* nothing */ }
		}
	};

	function setupChecklist() {
		var form = document.getElementById("checklist");
		if (!form) return;
		var slug = form.getAttribute("data-slug") || "";
		// Ticks are item ids, kept per skill: an edit to the checklist keeps
		// the ticks of the items it did not touch (ids come from each item's
		// section, reference and title). Older versions kept them per
		// checklist digest (skilld:checklist:SLUG:DIGEST); those are read
		// once and dropped.
		var key = "skilld:ticks:" + slug;
		var oldPrefix = "skilld:checklist:" + slug + ":";
		var boxes = Array.prototype.slice.call(form.querySelectorAll(".item input[type=checkbox]"));
		var sections = Array.prototype.slice.call(form.querySelectorAll(".cl-section"));
		var bars = Array.prototype.slice.call(form.querySelectorAll("progress[data-progress]"));
		var texts = Array.prototype.slice.call(form.querySelectorAll("[data-progress-text]"));
		var status = form.querySelector(".status");
		var statusTimer = null;

		function say(msg) {
			if (!status) return;
			status.textContent = msg;
			clearTimeout(statusTimer);
			statusTimer = setTimeout(function () { status.textContent = ""; }, 5000);
		}

		function adoptOld() {
			var found = null;
			try {
				var ls = window.localStorage;
				for (var i = ls.length - 1; i >= 0; i--) {
					var k = ls.key(i);
					if (k && k.indexOf(oldPrefix) === 0) {
						if (!found) found = ls.getItem(k);
						ls.removeItem(k);
					}
				}
			} catch (e) { /* nothing */ }
			if (found && !store.get(key)) store.set(key, found);
		}

		function load() {
			adoptOld();
			var raw = store.get(key);
			if (!raw) return;
			var ids;
			try { ids = JSON.parse(raw); } catch (e) { return; }
			if (!Array.isArray(ids)) return;
			var set = {};
			ids.forEach(function (id) { set[id] = true; });
			boxes.forEach(function (b) { b.checked = set[b.id] === true; });
		}

		function save() {
			var ids = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.id; });
			if (ids.length) store.set(key, JSON.stringify(ids));
			else store.remove(key);
		}

		// Counts per section id ("all" for the whole checklist).
		function counts() {
			var c = { all: { done: 0, total: boxes.length } };
			sections.forEach(function (s) {
				var inside = s.querySelectorAll(".item input[type=checkbox]");
				var done = 0;
				for (var i = 0; i < inside.length; i++) if (inside[i].checked) done++;
				c[s.id] = { done: done, total: inside.length };
			});
			c.all.done = boxes.filter(function (b) { return b.checked; }).length;
			return c;
		}

		function update() {
			var c = counts();
			bars.forEach(function (bar) {
				var n = c[bar.getAttribute("data-progress")];
				if (n) bar.value = n.done;
			});
			texts.forEach(function (t) {
				var n = c[t.getAttribute("data-progress-text")];
				if (!n) return;
				t.textContent = n.done + " / " + n.total;
				t.classList.toggle("done", n.total > 0 && n.done === n.total);
			});
		}

		// The checklist as Markdown: title, progress, "## section",
		// "### group" and one "- [x]" / "- [ ]" line per item.
		function markdown() {
			var out = [];
			var title = document.querySelector("#cl_title");
			var c = counts().all;
			out.push("# " + squash(title ? title.textContent : "Review checklist"));
			out.push("");
			out.push("Progress: " + c.done + " / " + c.total);
			var nodes = form.querySelectorAll(".cl-section .section-head h2, .cl-section .group-title, .item input[type=checkbox]");
			for (var i = 0; i < nodes.length; i++) {
				var n = nodes[i];
				if (n.tagName === "H2") {
					if (!n.closest(".cl-section").querySelector(".item")) continue;
					out.push("", "## " + squash(n.textContent), "");
				} else if (n.tagName === "H3") {
					out.push("", "### " + squash(n.textContent), "");
				} else {
					out.push(itemLine(n));
				}
			}
			return out.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
		}

		function itemLine(box) {
			var mark = box.checked ? "x" : " ";
			var md = box.getAttribute("data-md");
			if (md && /^\s*- \[[ xX]\]/.test(md)) {
				return md.replace(/^(\s*- \[)[ xX](\])/, "$1" + mark + "$2");
			}
			var label = box.parentNode.querySelector("label");
			return "- [" + mark + "] " + squash(label ? label.textContent : box.id);
		}

		function copy() {
			copyText(markdown(), form, "Checklist as Markdown", say);
		}

		// A review run of this checklist: started through the API, then
		// its own page (shared by URL, lasting, for people and agents).
		var starter = document.getElementById("start-review");

		function showStart() {
			if (!starter) return;
			starter.hidden = false;
			starter.querySelector("input[name=title]").focus();
		}

		function createReview() {
			var title = starter.querySelector("input[name=title]").value.trim();
			var target = starter.querySelector("input[name=target]").value.trim();
			if (!title) {
				say("Say what is reviewed first");
				starter.querySelector("input[name=title]").focus();
				return;
			}
			var body = { skill: starter.getAttribute("data-skill"), title: title,
				checklist: starter.getAttribute("data-checklist") };
			if (target) body.target = target;
			fetch("/api/v1/reviews", { method: "POST", credentials: "same-origin",
				headers: { "Content-Type": "application/json", "Accept": "application/json" },
				body: JSON.stringify(body) }).then(function (r) {
				return r.json().then(function (j) { return { ok: r.ok, j: j }; });
			}).then(function (x) {
				if (!x.ok) {
					say(x.j.error ? x.j.error.message : "The review could not be started");
					return;
				}
				// The items ticked here become passes of the new review.
				var ticked = boxes.filter(function (b) { return b.checked; }).map(function (b) {
					return { item: b.id, verdict: "pass" };
				});
				if (!ticked.length) {
					window.location.href = x.j.page;
					return;
				}
				return fetch(x.j.url + "/verdicts", { method: "POST", credentials: "same-origin",
					headers: { "Content-Type": "application/json", "Accept": "application/json" },
					body: JSON.stringify({ verdicts: ticked }) }).then(function () {
					window.location.href = x.j.page;
				});
			}, function () { say("The server could not be reached"); });
		}

		function reset() {
			var done = boxes.filter(function (b) { return b.checked; }).length;
			if (done && !window.confirm("Uncheck all " + done + " checked items?")) return;
			boxes.forEach(function (b) { b.checked = false; });
			store.remove(key);
			var area = form.querySelector("textarea.md-copy");
			if (area) area.parentNode.removeChild(area);
			update();
			say("Checklist reset");
		}

		form.addEventListener("change", function (e) {
			if (e.target && e.target.type === "checkbox") {
				save();
				update();
			}
		});
		form.addEventListener("submit", function (e) { e.preventDefault(); });
		form.addEventListener("click", function (e) {
			var btn = e.target.closest ? e.target.closest("button[data-action]") : null;
			if (!btn) return;
			var action = btn.getAttribute("data-action");
			if (action === "copy-md") copy();
			else if (action === "reset") reset();
			else if (action === "start-review") showStart();
			else if (action === "create-review") createReview();
		});

		load();
		update();
	}

	// ---- a review run: verdicts, notes, keys, live updates ----

	function setupReview() {
		var root = document.getElementById("review");
		if (!root) return;
		var id = root.getAttribute("data-review");
		var api = "/api/v1/reviews/" + encodeURIComponent(id);
		var status = root.querySelector(".status");
		var statusTimer = null;
		var etag = null;
		var items = Array.prototype.slice.call(root.querySelectorAll(".ritem"));
		var byId = {};
		items.forEach(function (li) { byId[li.getAttribute("data-item")] = li; });

		function say(msg) {
			if (!status) return;
			status.textContent = msg;
			clearTimeout(statusTimer);
			statusTimer = setTimeout(function () { status.textContent = ""; }, 5000);
		}

		function send(method, url, body, headers) {
			var h = { "Content-Type": "application/json", "Accept": "application/json" };
			for (var k in headers || {}) h[k] = headers[k];
			return fetch(url, { method: method, credentials: "same-origin", headers: h,
				body: JSON.stringify(body) }).then(function (r) {
				return r.json().then(function (j) { return { status: r.status, j: j }; });
			});
		}

		// One item's state into its row, leaving a field being typed in alone.
		function applyItem(it) {
			var li = byId[it.id];
			if (!li) return;
			var v = it.verdict || "open";
			li.setAttribute("data-verdict", v);
			li.setAttribute("data-version", String(it.version));
			Array.prototype.forEach.call(li.querySelectorAll(".verdicts button"), function (b) {
				b.setAttribute("aria-pressed", b.getAttribute("data-verdict") === v ? "true" : "false");
			});
			var sel = li.querySelector("select[name=severity]");
			sel.disabled = v !== "fail";
			if (document.activeElement !== sel) sel.value = it.severity || "";
			var note = li.querySelector("textarea[name=note]");
			if (document.activeElement !== note) note.value = it.note || "";
			var ev = li.querySelector("input[name=evidence]");
			if (document.activeElement !== ev) ev.value = it.evidence || "";
			var meta = li.querySelector(".ritem-meta");
			meta.textContent = it.updated_at ? (it.author ? it.author + ", " : "") +
				it.updated_at.slice(0, 16).replace("T", " ") : "";
		}

		function applyView(v) {
			var heads = root.querySelectorAll("[data-section-progress]");
			(v.sections || []).forEach(function (s, i) {
				(s.items || []).forEach(applyItem);
				var n = (s.items || []).length, c = s.counts || {};
				if (heads[i]) heads[i].textContent = (n - (c.open || 0)) + " / " + n;
			});
			var c = v.counts || {};
			["pass", "fail", "na", "open"].forEach(function (k) {
				var el = root.querySelector("[data-count=" + k + "]");
				if (el) el.textContent = String(c[k] || 0);
			});
			var total = (c.pass || 0) + (c.fail || 0) + (c.na || 0) + (c.open || 0);
			var bar = root.querySelector("progress[data-progress=all]");
			if (bar) { bar.max = total; bar.value = total - (c.open || 0); }
			var txt = root.querySelector("[data-progress-text=all]");
			if (txt) txt.textContent = (total - (c.open || 0)) + " / " + total;
			root.setAttribute("data-status", v.status);
			var badge = root.querySelector("[data-status-badge]");
			if (badge) { badge.textContent = v.status; badge.className = "badge status-" + v.status; }
			var tog = root.querySelector("[data-action=toggle-status]");
			if (tog) tog.textContent = v.status === "open" ? "Close review" : "Reopen review";
		}

		// The review as it is now (other reviewers' changes included).
		function refresh() {
			var h = { "Accept": "application/json" };
			if (etag) h["If-None-Match"] = etag;
			return fetch(api, { headers: h, credentials: "same-origin" }).then(function (r) {
				if (r.status !== 200) return;
				etag = r.headers.get("ETag");
				return r.json().then(applyView);
			}, function () {});
		}

		function write(li, body) {
			var url = api + "/items/" + encodeURIComponent(li.getAttribute("data-item"));
			return send("PATCH", url, body, { "If-Match": '"' + li.getAttribute("data-version") + '"' })
				.then(function (x) {
					if (x.status === 200) {
						applyItem(x.j);
					} else if (x.status === 412) {
						applyItem(x.j.item);
						say("Someone changed this item meanwhile: it shows their verdict now");
					} else {
						say(x.j.error ? x.j.error.message : "Not saved");
					}
					return refresh();
				}, function () { say("Not saved: the server could not be reached"); });
		}

		function currentVerdict(li) {
			var v = li.getAttribute("data-verdict");
			return v === "open" ? null : v;
		}

		function setVerdict(li, v) {
			if (root.getAttribute("data-status") !== "open") {
				say("The review is closed: reopen it to change verdicts");
				return;
			}
			if (currentVerdict(li) === v) v = null;   // pressing it again clears it
			var body = { verdict: v };
			if (v === "fail") {
				var sev = li.querySelector("select[name=severity]").value;
				if (sev) body.severity = sev;
			}
			write(li, body);
		}

		root.addEventListener("click", function (e) {
			var btn = e.target.closest ? e.target.closest("button") : null;
			if (!btn) return;
			var li = btn.closest(".ritem");
			if (li && btn.hasAttribute("data-verdict")) {
				setVerdict(li, btn.getAttribute("data-verdict"));
				return;
			}
			var action = btn.getAttribute("data-action");
			if (action === "copy-pr") {
				fetch(api + "?format=md", { headers: { "Accept": "text/markdown" },
					credentials: "same-origin" }).then(function (r) { return r.text(); })
					.then(function (t) { copyText(t, root, "The review as a PR comment", say); });
			} else if (action === "toggle-status") {
				var next = root.getAttribute("data-status") === "open" ? "closed" : "open";
				send("PATCH", api, { status: next }).then(function (x) {
					if (x.status === 200) { applyView(x.j); say("Review " + next); }
					else say(x.j.error ? x.j.error.message : "Not changed");
				});
			}
		});

		root.addEventListener("change", function (e) {
			var li = e.target.closest ? e.target.closest(".ritem") : null;
			if (!li) return;
			var name = e.target.getAttribute("name");
			var body = { verdict: currentVerdict(li) };
			if (name === "severity") body.severity = e.target.value || null;
			else if (name === "note" || name === "evidence") body[name] = e.target.value.trim() || null;
			else return;
			write(li, body);
		});

		// Keys: j/k move between items, p/f/n give a verdict, e opens the note.
		var current = -1;
		function focusItem(i) {
			if (!items.length) return;
			current = Math.max(0, Math.min(items.length - 1, i));
			items[current].focus();
			items[current].scrollIntoView({ block: "nearest" });
		}
		root.addEventListener("focusin", function (e) {
			var li = e.target.closest ? e.target.closest(".ritem") : null;
			if (li) current = items.indexOf(li);
		});
		document.addEventListener("keydown", function (e) {
			if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
			var li = current >= 0 ? items[current] : null;
			if (e.key === "j") focusItem(current + 1);
			else if (e.key === "k") focusItem(current - 1);
			else if (li && e.key === "p") setVerdict(li, "pass");
			else if (li && e.key === "f") setVerdict(li, "fail");
			else if (li && e.key === "n") setVerdict(li, "na");
			else if (li && e.key === "e") li.querySelector("textarea[name=note]").focus();
			else return;
			e.preventDefault();
		});

		items.forEach(function (li) {
			li.querySelector("select[name=severity]").disabled = li.getAttribute("data-verdict") !== "fail";
		});
		// Other reviewers' changes arrive as events (the server pushes one
		// per change); without the stream (an old browser, or the server at
		// --max-streams) the page asks every second, a 304 when nothing
		// changed.
		var live = false;
		refresh();
		if (window.EventSource) {
			var es = new EventSource(api + "/events");
			es.addEventListener("open", function () { live = true; });
			es.addEventListener("change", function () { refresh(); });
			es.addEventListener("deleted", function () {
				es.close();
				say("This review was deleted");
			});
			es.addEventListener("error", function () {
				live = false;
				if (es.readyState === EventSource.CLOSED) es = null;
			});
		}
		setInterval(function () { if (!live && !document.hidden) refresh(); }, 1000);
	}

	// ---- a skill's page: its latest reviews ----

	function setupSkillReviews() {
		var panel = document.querySelector(".skill-reviews");
		if (!panel) return;
		var slug = panel.getAttribute("data-skill");
		fetch("/api/v1/reviews?limit=5&skill=" + encodeURIComponent(slug), {
			headers: { "Accept": "application/json" }, credentials: "same-origin" })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (j) {
				if (!j || !j.data || !j.data.length) return;
				var ul = panel.querySelector("ul");
				j.data.forEach(function (rv) {
					var li = document.createElement("li");
					var a = document.createElement("a");
					a.href = rv.page;
					a.textContent = rv.title;
					li.appendChild(a);
					var c = rv.counts;
					li.appendChild(document.createTextNode(" · " + rv.status +
						(c ? " · " + c.pass + " pass, " + c.fail + " fail, " + c.open + " open" : "")));
					ul.appendChild(li);
				});
				panel.hidden = false;
			}, function () {});
	}

	// ---- rendered markdown: a copy button on every code block ----

	function setupCopyCode() {
		Array.prototype.forEach.call(document.querySelectorAll(".code-block > .copy-code"), function (btn) {
			var code = btn.parentNode.querySelector("pre > code");
			if (!code) return;
			var timer = null;
			// The outcome on the button, its name too, for 1.5 s.
			function say(message) {
				var text = message === "Copied" ? "Copied" : "Selected: press Ctrl+C";
				btn.textContent = text;
				btn.setAttribute("aria-label", text);
				btn.classList.add("copied");
				clearTimeout(timer);
				timer = setTimeout(function () {
					btn.textContent = "Copy";
					btn.setAttribute("aria-label", "Copy code");
					btn.classList.remove("copied");
				}, 1500);
			}
			btn.addEventListener("click", function () {
				var text = code.textContent;
				if (navigator.clipboard && window.isSecureContext) {
					navigator.clipboard.writeText(text).then(function () { say("Copied"); },
						function () { selectCode(code); say("failed"); });
				} else {
					selectCode(code);
					var ok = false;
					try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
					say(ok ? "Copied" : "failed");
				}
			});
			btn.hidden = false;
		});
	}

	// Selects the text of el, for a manual copy when the clipboard refuses.
	function selectCode(el) {
		var range = document.createRange();
		range.selectNodeContents(el);
		var sel = window.getSelection();
		sel.removeAllRanges();
		sel.addRange(range);
	}

	// ---- times: "3 days ago", the exact time in the title ----

	// Every <time data-relative>: the page says when in UTC (it is made
	// once per index generation); here it says how long ago.
	function setupTimes() {
		var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
			["hour", 3600], ["minute", 60]];
		Array.prototype.forEach.call(document.querySelectorAll("time[data-relative]"), function (t) {
			var when = Date.parse(t.getAttribute("datetime"));
			if (isNaN(when)) return;
			var s = Math.round((Date.now() - when) / 1000), text = "just now";
			for (var i = 0; i < units.length; i++) {
				var n = Math.floor(Math.abs(s) / units[i][1]);
				if (n >= 1) {
					var u = units[i][0] + (n === 1 ? "" : "s");
					text = s >= 0 ? n + " " + u + " ago" : "in " + n + " " + u;
					break;
				}
			}
			t.title = t.textContent;
			t.textContent = text;
		});
	}

	function start() {
		setupTimes();
		setupCopyCode();
		setupFilter();
		setupSide();
		setupToolbar();
		setupSearch();
		setupChecklist();
		setupReview();
		setupSkillReviews();
	}

	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
	else start();
})();
