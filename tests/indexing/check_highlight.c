/* SPDX-License-Identifier: MIT */
/*
 * Tests for highlight: exact spans for the languages of the corpora (Java,
 * Python, Kotlin, CSS, JavaScript, shell) and the rest of the table, and
 * for every language the output's invariants on hostile code: the text
 * between the tags is exactly the escaped input, spans never nest and
 * always close, and unterminated strings and comments stay bounded.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/html.h"
#include "skilld/indexing/highlight.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *highlight_suite(void);

/* The highlighted HTML of code in lang (free()). */
static char *hl(const char *lang, const char *code)
{
	struct buf b;

	buf_init(&b);
	highlight_code(lang, lang ? strlen(lang) : 0, code, strlen(code), &b);
	return buf_detach(&b, NULL);
}

/* Asserts that code in lang gives exactly want. */
static void expect(const char *lang, const char *code, const char *want)
{
	char *got = hl(lang, code);

	ck_assert_msg(strcmp(got, want) == 0, "%s: %s\n got  %s\n want %s", lang, code, got, want);
	free(got);
}

/* Asserts the invariants of highlighted html for code: only <span
 * class="hl-x"> and </span> tags, never nested, all closed, and the text
 * without them is html_escape_text of code. */
static void check_invariants(const char *lang, const char *code, size_t len)
{
	struct buf b, esc, text;
	bool open = false;

	buf_init(&b);
	highlight_code(lang, strlen(lang), code, len, &b);
	buf_init(&esc);
	html_escape_text(&esc, code, len);
	buf_init(&text);
	for (size_t i = 0; i < b.len;) {
		if (b.data[i] != '<') {
			buf_putc(&text, b.data[i++]);
			continue;
		}
		if (strncmp(b.data + i, "</span>", 7) == 0) {
			ck_assert_msg(open, "%s: a span closed twice in %s", lang, b.data);
			open = false;
			i += 7;
			continue;
		}
		ck_assert_msg(strncmp(b.data + i, "<span class=\"hl-", 16) == 0 && b.data[i + 16] &&
				      strchr("csnkltfmvpid", b.data[i + 16]) && b.data[i + 17] == '"' &&
				      b.data[i + 18] == '>',
			      "%s: unexpected tag in %s", lang, b.data + i);
		ck_assert_msg(!open, "%s: nested span in %s", lang, b.data);
		open = true;
		i += 19;
	}
	ck_assert_msg(!open, "%s: a span left open in %s", lang, b.data);
	ck_assert_msg(text.len == esc.len && memcmp(text.data, esc.data, esc.len) == 0,
		      "%s: text differs:\n%s\n%s", lang, text.data, esc.data);
	buf_fini(&b);
	buf_fini(&esc);
	buf_fini(&text);
}

START_TEST(test_java)
{
	expect("java", "@Override\npublic static final int MAX = 0x1F; // max\n",
	       "<span class=\"hl-m\">@Override</span>\n<span class=\"hl-k\">public</span> "
	       "<span class=\"hl-k\">static</span> <span class=\"hl-k\">final</span> "
	       "<span class=\"hl-t\">int</span> MAX = <span class=\"hl-n\">0x1F</span>; "
	       "<span class=\"hl-c\">// max</span>\n");
	expect("Java", "List<String> xs = new ArrayList<>(); /* a\n b */ char c = '\\'';\n",
	       "<span class=\"hl-t\">List</span>&lt;<span class=\"hl-t\">String</span>&gt; xs = "
	       "<span class=\"hl-k\">new</span> <span class=\"hl-t\">ArrayList</span>&lt;&gt;(); "
	       "<span class=\"hl-c\">/* a\n b */</span> <span class=\"hl-t\">char</span> c = "
	       "<span class=\"hl-s\">'\\''</span>;\n");
	/* a text block, and a method call after a dot */
	expect("java", "String s = \"\"\"\n  hi \"x\"\n  \"\"\"; s.strip(null);",
	       "<span class=\"hl-t\">String</span> s = <span class=\"hl-s\">\"\"\"\n  hi \"x\"\n  \"\"\"</span>; "
	       "s.<span class=\"hl-f\">strip</span>(<span class=\"hl-l\">null</span>);");
}
END_TEST

START_TEST(test_python)
{
	expect("python", "@dataclass\nclass Point:\n    def norm(self) -> float:\n"
			 "        return f\"{self.x}\" or r'\\d' # done\n",
	       "<span class=\"hl-m\">@dataclass</span>\n<span class=\"hl-k\">class</span> "
	       "<span class=\"hl-t\">Point</span>:\n    <span class=\"hl-k\">def</span> "
	       "<span class=\"hl-f\">norm</span>(<span class=\"hl-l\">self</span>) -&gt; "
	       "<span class=\"hl-t\">float</span>:\n        <span class=\"hl-k\">return</span> "
	       "<span class=\"hl-s\">f\"{self.x}\"</span> <span class=\"hl-k\">or</span> "
	       "<span class=\"hl-s\">r'\\d'</span> <span class=\"hl-c\"># done</span>\n");
	expect("py", "'''doc # not a comment'''\nx = None  # 1.5e-3\ny = 1.5e-3\n",
	       "<span class=\"hl-s\">'''doc # not a comment'''</span>\nx = <span class=\"hl-l\">None</span>  "
	       "<span class=\"hl-c\"># 1.5e-3</span>\ny = <span class=\"hl-n\">1.5e-3</span>\n");
}
END_TEST

START_TEST(test_kotlin_js_css_shell)
{
	expect("kotlin", "fun main() { val x: Int? = null }",
	       "<span class=\"hl-k\">fun</span> <span class=\"hl-f\">main</span>() { "
	       "<span class=\"hl-k\">val</span> x: <span class=\"hl-t\">Int</span>? = "
	       "<span class=\"hl-l\">null</span> }");
	expect("js", "const t = `a\n${b}`; // c",
	       "<span class=\"hl-k\">const</span> t = <span class=\"hl-s\">`a\n${b}`</span>; "
	       "<span class=\"hl-c\">// c</span>");
	expect("css", "@media print { .card, #main { color: #fff; margin: 0 .5em; } }",
	       "<span class=\"hl-m\">@media</span> print { <span class=\"hl-f\">.card</span>, "
	       "<span class=\"hl-f\">#main</span> { <span class=\"hl-p\">color</span>: "
	       "<span class=\"hl-n\">#fff</span>; <span class=\"hl-p\">margin</span>: "
	       "<span class=\"hl-n\">0</span> <span class=\"hl-n\">.5em</span>; } }");
	expect("bash", "if [ \"$#\" -gt 0 ]; then echo ${HOME} $1 a#b; fi # end",
	       "<span class=\"hl-k\">if</span> [ <span class=\"hl-s\">\"$#\"</span> -gt "
	       "<span class=\"hl-n\">0</span> ]; <span class=\"hl-k\">then</span> "
	       "<span class=\"hl-t\">echo</span> <span class=\"hl-v\">${HOME}</span> "
	       "<span class=\"hl-v\">$1</span> a#b; <span class=\"hl-k\">fi</span> "
	       "<span class=\"hl-c\"># end</span>");
}
END_TEST

START_TEST(test_data_and_markup)
{
	expect("json", "{\"a\": [true, 1, \"x\"]}",
	       "{<span class=\"hl-p\">\"a\"</span>: [<span class=\"hl-l\">true</span>, "
	       "<span class=\"hl-n\">1</span>, <span class=\"hl-s\">\"x\"</span>]}");
	expect("yaml", "name: x # c\n- url: http://a#b\n",
	       "<span class=\"hl-p\">name</span>: x <span class=\"hl-c\"># c</span>\n- "
	       "<span class=\"hl-p\">url</span>: http://a#b\n");
	expect("sql", "select * FROM t WHERE id = 'x''y' -- c",
	       "<span class=\"hl-k\">select</span> * <span class=\"hl-k\">FROM</span> t "
	       "<span class=\"hl-k\">WHERE</span> id = <span class=\"hl-s\">'x'</span>"
	       "<span class=\"hl-s\">'y'</span> <span class=\"hl-c\">-- c</span>");
	expect("html", "<a href=\"x\">t</a><!-- c -->",
	       "&lt;<span class=\"hl-k\">a</span> <span class=\"hl-p\">href</span>="
	       "<span class=\"hl-s\">\"x\"</span>&gt;t&lt;/<span class=\"hl-k\">a</span>&gt;"
	       "<span class=\"hl-c\">&lt;!-- c --&gt;</span>");
	expect("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same\n",
	       "<span class=\"hl-k\">--- a</span>\n<span class=\"hl-k\">+++ b</span>\n"
	       "<span class=\"hl-m\">@@ -1 +1 @@</span>\n<span class=\"hl-d\">-old</span>\n"
	       "<span class=\"hl-i\">+new</span>\n same\n");
	expect("c", "#include <stdio.h>\nint main(void) { return NULL; }",
	       "<span class=\"hl-m\">#include &lt;stdio.h&gt;</span>\n<span class=\"hl-t\">int</span> "
	       "<span class=\"hl-f\">main</span>(<span class=\"hl-t\">void</span>) { "
	       "<span class=\"hl-k\">return</span> <span class=\"hl-l\">NULL</span>; }");
	/* a Rust lifetime is no character literal */
	expect("rust", "fn f<'a>(x: &'a str) -> char { 'x' }",
	       "<span class=\"hl-k\">fn</span> f&lt;'a&gt;(x: &amp;'a <span class=\"hl-t\">str</span>) -&gt; "
	       "<span class=\"hl-t\">char</span> { <span class=\"hl-s\">'x'</span> }");
}
END_TEST

START_TEST(test_unknown_and_too_large)
{
	char *big;
	char *out;

	ck_assert(highlight_known("java", 4));
	ck_assert(highlight_known("C++", 3));
	ck_assert(!highlight_known("javax", 5));
	ck_assert(!highlight_known("", 0));
	ck_assert(!highlight_known(NULL, 0));
	expect("nosuch", "if <b> & x", "if &lt;b&gt; &amp; x");
	expect(NULL, "x < 1", "x &lt; 1");
	/* over the limit: escaped only */
	big = xmalloc(HIGHLIGHT_MAX + 2);
	memset(big, 'x', HIGHLIGHT_MAX + 1);
	memcpy(big, "int <", 5);
	big[HIGHLIGHT_MAX + 1] = '\0';
	out = hl("c", big);
	ck_assert_ptr_null(strstr(out, "<span"));
	ck_assert(strncmp(out, "int &lt;xx", 10) == 0);
	free(out);
	free(big);
}
END_TEST

START_TEST(test_invariants_on_hostile_code)
{
	static const char *const langs[] = {
		"c", "cpp", "java", "kotlin", "scala", "swift", "cs", "python", "js", "ts", "go", "rust",
		"ruby", "php", "bash", "powershell", "sql", "json", "yaml", "toml", "css", "html",
		"dockerfile", "makefile", "diff",
	};
	static const char *const codes[] = {
		"\"unterminated\nnext line\n",
		"'\n'''\n\"\"\"\n`\n",
		"/* never closed <script>alert(1)</script>",
		"<!-- never closed <b>",
		"<a href='x\" onmouseover=\"y'>&amp;</a></span><span class=\"x\">",
		"$ ${ ${x $1 $@ $\n@ @@ @x #x # x -- x ; x // x",
		"0x 1e+ 1.2.3 .5 5. 1..2 0b1010 10px 100% #fff -x --y",
		"\xc3\xa9t\xc3\xa9 = \"caf\xc3\xa9\" // \xe2\x9c\x93\n",
		"\x01\x7f\xff\xfe invalid \xc3",
		"\\\\\\\"'\\'\\",
		"r\"x\" rb'y' f\"\"\"z\"\"\" u'",
		"{ a: b; } } } { -- @media ::before a:hover",
		"+\n-\n@@\n+++ \n--- \ndiff \n",
		"",
	};

	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		ck_assert_msg(highlight_known(langs[i], strlen(langs[i])), "%s", langs[i]);
		for (size_t j = 0; j < sizeof(codes) / sizeof(codes[0]); j++)
			check_invariants(langs[i], codes[j], strlen(codes[j]));
	}
	/* a NUL inside the code */
	check_invariants("python", "a\0'b\0'", 7);
}
END_TEST

Suite *highlight_suite(void)
{
	Suite *s = suite_create("highlight");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_java);
	tcase_add_test(tc, test_python);
	tcase_add_test(tc, test_kotlin_js_css_shell);
	tcase_add_test(tc, test_data_and_markup);
	tcase_add_test(tc, test_unknown_and_too_large);
	tcase_add_test(tc, test_invariants_on_hostile_code);
	suite_add_tcase(s, tc);
	return s;
}
