// SPDX-License-Identifier: MIT
// skilld portal: progressive enhancement only. Without this script every
// page still shows everything; with it the index filters as you type and the
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
		setupChecklist();
	}

	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
	else start();
})();
