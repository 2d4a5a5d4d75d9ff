// SPDX-License-Identifier: MIT
// skilld portal: progressive enhancement only. Without this script every
// page still shows everything; with it the index filters as you type, the
// header search box shows results as you type (from /api/v1/search), and the
// checklist keeps its state in localStorage, shows progress, resets and
// copies itself as Markdown. No framework, nothing from another host.
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

	// ---- index: filter as you type ----

	function setupFilter() {
		var input = document.getElementById("filter");
		if (!input) return;
		var cards = Array.prototype.slice.call(document.querySelectorAll("#cards > .card"));
		var counter = document.querySelector(".filter-count");
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
		var q = new URLSearchParams(window.location.search).get("q");
		if (q) input.value = q;
		if (input.value) apply();

		document.addEventListener("keydown", function (e) {
			if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
			if (typingIn(document.activeElement)) return;
			e.preventDefault();
			input.focus();
			input.select();
		});
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
		if (!document.getElementById("filter")) {
			document.addEventListener("keydown", function (e) {
				if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
				if (typingIn(document.activeElement)) return;
				e.preventDefault();
				input.focus();
				input.select();
			});
		}
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
		},
		// Drops the state of older versions of the same checklist.
		prune: function (prefix, keep) {
			try {
				var ls = window.localStorage;
				for (var i = ls.length - 1; i >= 0; i--) {
					var k = ls.key(i);
					if (k && k.indexOf(prefix) === 0 && k !== keep) ls.removeItem(k);
				}
			} catch (e) { /* nothing */ }
		}
	};

	function setupChecklist() {
		var form = document.getElementById("checklist");
		if (!form) return;
		var slug = form.getAttribute("data-slug") || "";
		var digest = form.getAttribute("data-digest") || "";
		var prefix = "skilld:checklist:" + slug + ":";
		var key = prefix + digest;
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

		function load() {
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

		// Shows the text selected in a textarea for a manual copy when the
		// clipboard API is unavailable (plain http on a LAN address).
		function fallbackCopy(text) {
			var area = form.querySelector("textarea.md-copy");
			if (!area) {
				area = document.createElement("textarea");
				area.className = "md-copy";
				area.readOnly = true;
				area.setAttribute("aria-label", "Checklist as Markdown");
				var toolbar = form.querySelector(".toolbar");
				toolbar.parentNode.insertBefore(area, toolbar.nextSibling);
			}
			area.value = text;
			area.focus();
			area.select();
			var ok = false;
			try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
			say(ok ? "Copied" : "Selected: press Ctrl+C (⌘C) to copy");
		}

		function copy() {
			var text = markdown();
			if (navigator.clipboard && window.isSecureContext) {
				navigator.clipboard.writeText(text).then(function () {
					say("Copied");
				}, function () {
					fallbackCopy(text);
				});
			} else {
				fallbackCopy(text);
			}
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
		});

		store.prune(prefix, key);
		load();
		update();
	}

	function start() {
		setupFilter();
		setupSearch();
		setupChecklist();
	}

	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
	else start();
})();
