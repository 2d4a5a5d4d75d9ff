/* SPDX-License-Identifier: MIT */
/*
 * highlight: a table-driven lexer for the code in skills (contract in
 * include/skilld/indexing/highlight.h). Each language is a row of word
 * lists and flags; one pass reads the code left to right, every byte is
 * looked at a bounded number of times, and whatever is not a token is
 * copied escaped. The table and the functions hold no mutable state, so
 * any thread may call them.
 */
#include "skilld/indexing/highlight.h"

#include <string.h>
#include <strings.h>

#include "skilld/base/html.h"

/* What a language has besides words, comments and quotes. */
enum {
	HL_BLOCK = 1 << 0,      /* C comments */
	HL_TRIPLE = 1 << 1,     /* """ and ''' strings */
	HL_PREFIX = 1 << 2,     /* r"", b'', f"" ... string prefixes */
	HL_AT = 1 << 3,         /* @annotation, @decorator, @media */
	HL_PREPROC = 1 << 4,    /* '#' first on a line starts a meta line */
	HL_DOLLAR = 1 << 5,     /* $var and ${var} */
	HL_DASH = 1 << 6,       /* '-' inside words (kebab-case) */
	HL_CAPS = 1 << 7,       /* Capitalised words are types */
	HL_KEYS = 1 << 8,       /* a word or string before ':' is a key */
	HL_HASH_WORD = 1 << 9,  /* '#' starts a comment only at a word start */
	HL_CHAR = 1 << 10,      /* '\'' starts only a character literal ('a, 'x') */
	HL_CSS = 1 << 11,       /* properties in braces, #colors, .class and #id selectors */
	HL_DIFF = 1 << 12,      /* whole lines: +, -, @@ */
	HL_TAGS = 1 << 13,      /* <tag attr="v">, <!-- --> */
	HL_NOCASE = 1 << 14,    /* words match in any case */
	HL_LINE_KEYS = 1 << 15, /* keys only first on a line (YAML) */
};

struct hl_lang {
	const char *names;     /* space separated, lowercase */
	const char *keywords;  /* space separated */
	const char *literals;
	const char *types;
	const char *comment;   /* line comment opener, or NULL */
	const char *comment2;
	const char *quotes;    /* characters that open strings */
	unsigned flags;
};

#define C_KW "auto break case const continue default do else enum extern for goto if inline " \
	"register restrict return sizeof static struct switch typedef union volatile while"
#define C_TYPES "char double float int long short signed unsigned void bool _Bool size_t ssize_t " \
	"int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t uintptr_t FILE"
#define JS_KW "async await break case catch class const continue debugger default delete do else " \
	"export extends finally for from function if import in instanceof let new of return " \
	"static super switch throw try typeof var void while with yield"

static const struct hl_lang langs[] = {
	{ "c h", C_KW, "NULL true false", C_TYPES, "//", NULL, "\"'", HL_BLOCK | HL_PREPROC },
	{ "cpp c++ cc cxx hpp hh", C_KW " catch class constexpr const_cast delete dynamic_cast "
	  "explicit final friend mutable namespace new noexcept operator override private protected "
	  "public reinterpret_cast static_assert static_cast template throw try typename using virtual",
	  "nullptr true false this NULL", C_TYPES " std string vector", "//", NULL, "\"'",
	  HL_BLOCK | HL_PREPROC },
	{ "java", "abstract assert break case catch class continue default do else enum exports "
	  "extends final finally for if implements import instanceof interface module native new "
	  "non-sealed package permits private protected public record return sealed static strictfp "
	  "super switch synchronized throw throws transient try var volatile while yield",
	  "true false null this", "boolean byte char double float int long short void", "//", NULL,
	  "\"'", HL_BLOCK | HL_TRIPLE | HL_AT | HL_CAPS },
	{ "kotlin kt kts", "abstract annotation as break by catch class companion const constructor "
	  "continue crossinline data do else enum external final finally for fun get if import in "
	  "infix init inline inner interface internal is lateinit noinline object open operator out "
	  "override package private protected public reified return sealed set suspend tailrec throw "
	  "try typealias val var vararg when where while",
	  "true false null this super it", NULL, "//", NULL, "\"'",
	  HL_BLOCK | HL_TRIPLE | HL_AT | HL_CAPS },
	{ "scala sc", "abstract case catch class def do else extends final finally for forSome given "
	  "if implicit import lazy match new object override package private protected return sealed "
	  "then throw trait try type using val var while with yield enum extension",
	  "true false null this super", NULL, "//", NULL, "\"'", HL_BLOCK | HL_TRIPLE | HL_AT | HL_CAPS },
	{ "swift", "as associatedtype break case catch class continue default defer deinit do else "
	  "enum extension fallthrough fileprivate for func guard if import in init inout internal is "
	  "let mutating open operator override private protocol public repeat rethrows return static "
	  "struct subscript switch throw throws try typealias var where while async await some any",
	  "true false nil self Self super", NULL, "//", NULL, "\"", HL_BLOCK | HL_TRIPLE | HL_AT | HL_CAPS },
	{ "csharp cs c#", "abstract as async await base break case catch checked class const continue "
	  "default delegate do else enum event explicit extern finally fixed for foreach get goto if "
	  "implicit in init interface internal is lock namespace new operator out override params "
	  "private protected public readonly record ref return sealed set sizeof stackalloc static "
	  "struct switch throw try typeof unchecked unsafe using var virtual volatile when where while yield",
	  "true false null this", "bool byte char decimal double float int long object sbyte short "
	  "string uint ulong ushort void dynamic", "//", NULL, "\"'", HL_BLOCK | HL_PREPROC | HL_CAPS },
	{ "python py python3 py3 pyi", "and as assert async await break case class continue def del "
	  "elif else except finally for from global if import in is lambda match nonlocal not or "
	  "pass raise return try while with yield",
	  "True False None self cls", "int str float bool list dict set tuple bytes object type "
	  "print len range isinstance super", "#", NULL, "\"'",
	  HL_TRIPLE | HL_PREFIX | HL_AT | HL_CAPS },
	{ "javascript js jsx mjs cjs node", JS_KW, "true false null undefined this NaN Infinity",
	  NULL, "//", NULL, "\"'`", HL_BLOCK | HL_CAPS },
	{ "typescript ts tsx mts", JS_KW " abstract as declare enum implements infer interface is "
	  "keyof namespace private protected public readonly satisfies type",
	  "true false null undefined this NaN Infinity", "any bigint boolean never number object "
	  "string symbol unknown void", "//", NULL, "\"'`", HL_BLOCK | HL_AT | HL_CAPS },
	{ "go golang", "break case chan const continue default defer else fallthrough for func go "
	  "goto if import interface map package range return select struct switch type var",
	  "true false nil iota", "any bool byte complex64 complex128 error float32 float64 int int8 "
	  "int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr", "//", NULL,
	  "\"'`", HL_BLOCK },
	{ "rust rs", "as async await break const continue crate dyn else enum extern fn for if impl "
	  "in let loop match mod move mut pub ref return static struct super trait type unsafe use "
	  "where while", "true false self Self None Some Ok Err", "bool char f32 f64 i8 i16 i32 i64 "
	  "i128 isize str u8 u16 u32 u64 u128 usize String Vec Option Result Box", "//", NULL, "\"'",
	  HL_BLOCK | HL_CHAR | HL_CAPS },
	{ "ruby rb", "alias and begin break case class def defined? do else elsif end ensure for if "
	  "in module next not or redo rescue retry return then undef unless until when while yield "
	  "require require_relative include extend attr_accessor attr_reader private protected public",
	  "true false nil self", NULL, "#", NULL, "\"'", HL_CAPS },
	{ "php", "abstract and as break case catch class clone const continue declare default do echo "
	  "else elseif enum extends final finally fn for foreach function global if implements include "
	  "instanceof interface match namespace new or private protected public readonly require "
	  "return static switch throw trait try use var while yield",
	  "true false null TRUE FALSE NULL", NULL, "//", "#", "\"'", HL_BLOCK | HL_DOLLAR | HL_CAPS },
	{ "bash sh shell zsh console shellsession ksh", "if then else elif fi for while until do "
	  "done case esac in function return local export readonly declare set unset shift exit "
	  "break continue source alias trap eval exec", "true false", "echo printf cd read test",
	  "#", NULL, "\"'", HL_DOLLAR | HL_DASH | HL_HASH_WORD },
	{ "powershell ps1 pwsh", "begin break catch class continue data do dynamicparam else elseif "
	  "end exit filter finally for foreach from function if in param process return switch throw "
	  "trap try until using while", NULL, NULL, "#", NULL, "\"'",
	  HL_DOLLAR | HL_DASH | HL_NOCASE },
	{ "sql sqlite postgres postgresql psql mysql plsql tsql", "add all alter analyze and as asc "
	  "begin between by cascade case check column commit conflict constraint create cross default "
	  "delete desc distinct do drop else end escape except exists explain foreign from full glob "
	  "grant group having if in index inner insert intersect into is join key left like limit "
	  "materialized not nothing offset on or order outer over partition pragma primary recursive "
	  "references replace returning revoke right rollback select set table then to transaction "
	  "trigger union unique update using vacuum values view when where window with without",
	  "true false null", "bigint blob boolean char date decimal double float int integer json "
	  "jsonb numeric real serial smallint text timestamp timestamptz uuid varchar", "--", NULL,
	  "'\"", HL_BLOCK | HL_NOCASE },
	{ "json jsonc json5 jsonl", NULL, "true false null", NULL, "//", NULL, "\"",
	  HL_BLOCK | HL_KEYS },
	{ "yaml yml", NULL, "true false null yes no on off True False Null", NULL, "#", NULL, "\"'",
	  HL_DASH | HL_KEYS | HL_LINE_KEYS | HL_HASH_WORD },
	{ "toml ini cfg conf properties editorconfig", NULL, "true false", NULL, "#", ";", "\"'",
	  HL_DASH | HL_HASH_WORD },
	{ "css scss sass less", NULL, "!important inherit initial unset none auto", NULL, "//", NULL,
	  "\"'", HL_BLOCK | HL_AT | HL_DASH | HL_CSS },
	{ "html xml svg xhtml vue", NULL, NULL, NULL, NULL, NULL, "\"'", HL_TAGS },
	{ "dockerfile docker containerfile", "from as run cmd label maintainer expose env add copy "
	  "entrypoint volume user workdir arg onbuild stopsignal healthcheck shell", NULL, NULL, "#",
	  NULL, "\"'", HL_DOLLAR | HL_NOCASE | HL_HASH_WORD },
	{ "makefile make mk", "ifeq ifneq ifdef ifndef else endif include define endef export "
	  "override", NULL, NULL, "#", NULL, "\"'", HL_DOLLAR | HL_DASH },
	{ "diff patch udiff", NULL, NULL, NULL, NULL, NULL, "", HL_DIFF },
};

/* True when p[0..n) is one of the space separated words of list. */
static bool word_in(const char *list, const char *p, size_t n, bool nocase)
{
	const char *w = list;

	while (w && *w) {
		size_t k = strcspn(w, " ");

		if (k == n && (nocase ? strncasecmp(w, p, n) == 0 : memcmp(w, p, n) == 0))
			return true;
		w += k;
		w += *w == ' ';
	}
	return false;
}

/* The row of language lang[0..len), or NULL. */
static const struct hl_lang *find_lang(const char *lang, size_t len)
{
	if (!lang || len == 0 || len > 32)
		return NULL;
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (word_in(langs[i].names, lang, len, true))
			return &langs[i];
	return NULL;
}

bool highlight_known(const char *lang, size_t len)
{
	return find_lang(lang, len) != NULL;
}

/* ---- the lexer ---- */

struct lexer {
	const struct hl_lang *lang;
	const char *s;
	size_t len;
	size_t plain;     /* start of the text not yet written */
	struct buf *out;
	int depth;        /* CSS: braces open */
	bool line_lead;   /* only spaces (and YAML's "- ") since the line began */
};

static bool is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_word(char c)
{
	return is_word_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* Writes the text before at, then s[at..end) as a token of class cls. */
static void emit(struct lexer *lx, size_t at, size_t end, const char *cls)
{
	html_escape_text(lx->out, lx->s + lx->plain, at - lx->plain);
	buf_puts(lx->out, "<span class=\"hl-");
	buf_puts(lx->out, cls);
	buf_puts(lx->out, "\">");
	html_escape_text(lx->out, lx->s + at, end - at);
	buf_puts(lx->out, "</span>");
	lx->plain = end;
}

/* Offset of the line end ('\n' or the end) at or after i. */
static size_t line_end(const struct lexer *lx, size_t i)
{
	const char *nl = memchr(lx->s + i, '\n', lx->len - i);

	return nl ? (size_t)(nl - lx->s) : lx->len;
}

/* Offset just after the first occurrence of the n bytes of close at or
 * after i, or the end. */
static size_t find_close(const struct lexer *lx, size_t i, const char *close, size_t n)
{
	const char *hit = memmem(lx->s + i, lx->len - i, close, n);

	return hit ? (size_t)(hit - lx->s) + n : lx->len;
}

/* The end of a string whose opening quote is at i (triple quotes when
 * triple): after the closing quote, at the line end for a one-line string
 * left open, at the end of the code for a multi-line one. */
static size_t string_end(const struct lexer *lx, size_t i, bool triple)
{
	char q = lx->s[i];

	if (triple) {
		char close[3] = { q, q, q };

		return find_close(lx, i + 3, close, 3);
	}
	for (size_t j = i + 1; j < lx->len; j++) {
		if (lx->s[j] == '\\' && q != '`')
			j++;
		else if (lx->s[j] == q)
			return j + 1;
		else if (lx->s[j] == '\n' && q != '`')
			return j;
	}
	return lx->len;
}

/* Offset of the first byte at or after i that is not a space or tab. */
static size_t skip_blanks(const struct lexer *lx, size_t i)
{
	while (i < lx->len && (lx->s[i] == ' ' || lx->s[i] == '\t'))
		i++;
	return i;
}

/* True when a key at line-lead position ends at i: ':' then a space or the
 * line end (YAML, JSON and CSS properties). */
static bool key_follows(const struct lexer *lx, size_t i)
{
	i = skip_blanks(lx, i);
	return i < lx->len && lx->s[i] == ':' &&
	       (i + 1 == lx->len || is_space(lx->s[i + 1]) || !(lx->lang->flags & HL_LINE_KEYS));
}

/* The end of a word starting at i. */
static size_t word_end(const struct lexer *lx, size_t i)
{
	bool dash = lx->lang->flags & HL_DASH;

	i++;
	while (i < lx->len && (is_word(lx->s[i]) ||
			       (dash && lx->s[i] == '-' && i + 1 < lx->len && is_word(lx->s[i + 1]))))
		i++;
	return i;
}

/* Reads a string at i (its quote at q, after a prefix when q > i). */
static size_t lex_string(struct lexer *lx, size_t i, size_t q)
{
	const struct hl_lang *L = lx->lang;
	bool triple = (L->flags & HL_TRIPLE) && q + 2 < lx->len && lx->s[q + 1] == lx->s[q] &&
		      lx->s[q + 2] == lx->s[q];
	size_t end = string_end(lx, q, triple);
	bool key = (L->flags & HL_KEYS) && (!(L->flags & HL_LINE_KEYS) || lx->line_lead) &&
		   key_follows(lx, end);

	emit(lx, i, end, key ? "p" : "s");
	return end;
}

/* Reads a word at i: keyword, literal, type, key, call or plain. */
static size_t lex_word(struct lexer *lx, size_t i)
{
	const struct hl_lang *L = lx->lang;
	bool nocase = L->flags & HL_NOCASE;
	size_t end = word_end(lx, i);
	size_t n = end - i;
	const char *p = lx->s + i;
	const char *cls = NULL;

	if ((L->flags & HL_PREFIX) && n <= 2 && end < lx->len && lx->s[end] &&
	    strchr(L->quotes, lx->s[end]) &&
	    strspn(p, "rRbBfFuU") >= n)
		return lex_string(lx, i, end);
	if (L->keywords && word_in(L->keywords, p, n, nocase))
		cls = "k";
	else if (L->literals && word_in(L->literals, p, n, nocase))
		cls = "l";
	else if (L->types && word_in(L->types, p, n, nocase))
		cls = "t";
	else if ((L->flags & HL_KEYS) && (!(L->flags & HL_LINE_KEYS) || lx->line_lead) &&
		 key_follows(lx, end))
		cls = "p";
	else if ((L->flags & HL_CSS) && lx->depth > 0 && key_follows(lx, end))
		cls = "p";
	else if ((L->flags & HL_CAPS) && p[0] >= 'A' && p[0] <= 'Z' &&
		 strcspn(p, "abcdefghijklmnopqrstuvwxyz") < n)
		cls = "t";
	else if (end < lx->len && lx->s[end] == '(')
		cls = "f";
	if (cls)
		emit(lx, i, end, cls);
	return end;
}

/* Reads a number at i: digits, letters, '_' and '.' (hex, suffixes,
 * exponents, units as 10px or 50%). */
static size_t lex_number(struct lexer *lx, size_t i)
{
	size_t end = i;

	while (end < lx->len && (is_word(lx->s[end]) || lx->s[end] == '.' ||
				 (lx->s[end] == '%' && (lx->lang->flags & HL_CSS)) ||
				 ((lx->s[end] == '+' || lx->s[end] == '-') && end > i &&
				  (lx->s[end - 1] == 'e' || lx->s[end - 1] == 'E') && is_digit(lx->s[i]) &&
				  !(lx->s[i] == '0' && end > i + 1 && (lx->s[i + 1] == 'x' || lx->s[i + 1] == 'X')))))
		end++;
	while (end > i + 1 && lx->s[end - 1] == '.')
		end--;
	emit(lx, i, end, "n");
	return end;
}

/* Reads '$' at i: ${...} to its brace on the line, or $name, $1, $?. */
static size_t lex_dollar(struct lexer *lx, size_t i)
{
	size_t end = i + 1;

	if (end < lx->len && lx->s[end] == '{') {
		size_t eol = line_end(lx, end);
		const char *close = memchr(lx->s + end, '}', eol - end);

		end = close ? (size_t)(close - lx->s) + 1 : end;
	} else if (end < lx->len && is_word_start(lx->s[end])) {
		while (end < lx->len && is_word(lx->s[end]))
			end++;
	} else if (end < lx->len && strchr("0123456789@#?*!$-", lx->s[end]) && lx->s[end]) {
		end++;
	}
	if (end == i + 1)
		return i + 1; /* a lone '$' is text */
	emit(lx, i, end, "v");
	return end;
}

/* Reads '<' at i in markup: a comment, or a tag with its attributes and
 * their values, up to its '>'. */
static size_t lex_tag(struct lexer *lx, size_t i)
{
	size_t j = i + 1, name;

	if (lx->len - i >= 4 && memcmp(lx->s + i, "<!--", 4) == 0) {
		size_t end = find_close(lx, i + 4, "-->", 3);

		emit(lx, i, end, "c");
		return end;
	}
	if (j < lx->len && (lx->s[j] == '/' || lx->s[j] == '!' || lx->s[j] == '?'))
		j++;
	if (j >= lx->len || !is_word_start(lx->s[j]))
		return i + 1;
	name = j;
	while (j < lx->len && (is_word(lx->s[j]) || lx->s[j] == '-' || lx->s[j] == ':' || lx->s[j] == '.'))
		j++;
	emit(lx, name, j, "k");
	while (j < lx->len && lx->s[j] != '>' && lx->s[j] != '<') {
		if (lx->s[j] == '"' || lx->s[j] == '\'') {
			const char *close = memchr(lx->s + j + 1, lx->s[j], lx->len - j - 1);
			size_t end = close ? (size_t)(close - lx->s) + 1 : lx->len;

			emit(lx, j, end, "s");
			j = end;
		} else if (is_word_start(lx->s[j])) {
			size_t end = j;

			while (end < lx->len && (is_word(lx->s[end]) || lx->s[end] == '-' || lx->s[end] == ':'))
				end++;
			emit(lx, j, end, "p");
			j = end;
		} else {
			j++;
		}
	}
	return j;
}

/* Highlights a diff line by line. */
static void lex_diff(struct lexer *lx)
{
	size_t i = 0;

	while (i < lx->len) {
		size_t eol = line_end(lx, i);
		const char *cls = NULL;
		char c = lx->s[i];

		if (lx->len - i >= 2 && memcmp(lx->s + i, "@@", 2) == 0)
			cls = "m";
		else if ((lx->len - i >= 4 && (memcmp(lx->s + i, "+++ ", 4) == 0 ||
					       memcmp(lx->s + i, "--- ", 4) == 0)) ||
			 (lx->len - i >= 5 && memcmp(lx->s + i, "diff ", 5) == 0))
			cls = "k";
		else if (c == '+')
			cls = "i";
		else if (c == '-')
			cls = "d";
		if (cls && eol > i)
			emit(lx, i, eol, cls);
		i = eol + 1;
	}
}

/* True when the line comment opener c starts at i. */
static bool comment_at(const struct lexer *lx, size_t i, const char *c)
{
	size_t n = c ? strlen(c) : 0;

	if (!n || lx->len - i < n || memcmp(lx->s + i, c, n) != 0)
		return false;
	/* "#" in shells and YAML only at a word start: $#, a#b are text */
	if ((lx->lang->flags & HL_HASH_WORD) && i > 0 && !is_space(lx->s[i - 1]))
		return false;
	return true;
}

/* One token (or one byte of text) at i; returns the next offset. */
static size_t lex_one(struct lexer *lx, size_t i)
{
	const struct hl_lang *L = lx->lang;
	const char *s = lx->s;
	char c = s[i];
	char next = i + 1 < lx->len ? s[i + 1] : '\0';
	bool after_word = i > 0 && is_word(s[i - 1]);

	if ((L->flags & HL_BLOCK) && c == '/' && next == '*') {
		size_t end = find_close(lx, i + 2, "*/", 2);

		emit(lx, i, end, "c");
		return end;
	}
	if (comment_at(lx, i, L->comment) || comment_at(lx, i, L->comment2) ||
	    ((L->flags & HL_PREPROC) && c == '#' && lx->line_lead)) {
		size_t end = line_end(lx, i);

		emit(lx, i, end, c == '#' && (L->flags & HL_PREPROC) ? "m" : "c");
		return end;
	}
	if (c != '\0' && strchr(L->quotes, c)) {
		/* a Rust lifetime ('a) is no string: a character is '\x' or 'x' */
		if ((L->flags & HL_CHAR) && c == '\'' &&
		    !(next == '\\' || (i + 2 < lx->len && s[i + 2] == '\'')))
			return i + 1;
		return lex_string(lx, i, i);
	}
	if ((L->flags & HL_TAGS) && c == '<')
		return lex_tag(lx, i);
	if ((L->flags & HL_AT) && c == '@' && is_word_start(next)) {
		size_t end = word_end(lx, i + 1);

		emit(lx, i, end, "m");
		return end;
	}
	if ((L->flags & HL_DOLLAR) && c == '$')
		return lex_dollar(lx, i);
	if ((L->flags & HL_CSS) && (c == '#' || c == '.') && (is_word(next) || next == '-') &&
	    !(c == '.' && is_digit(next))) {
		size_t end = word_end(lx, i + 1);
		size_t n = end - i - 1;

		/* #fff in a block is a colour; #main and .card are selectors */
		emit(lx, i, end, c == '#' && lx->depth > 0 && strspn(s + i + 1, "0123456789abcdefABCDEF") == n &&
				 (n == 3 || n == 4 || n == 6 || n == 8) ? "n" : "f");
		return end;
	}
	if (!after_word && !(i > 0 && s[i - 1] == '.') && (is_digit(c) || (c == '.' && is_digit(next))))
		return lex_number(lx, i);
	if (is_word_start(c) || ((L->flags & HL_CSS) && c == '-' && (is_word_start(next) || next == '-') &&
				  !after_word))
		return after_word ? i + 1 : lex_word(lx, i);
	if (L->flags & HL_CSS)
		lx->depth += c == '{' ? 1 : c == '}' && lx->depth > 0 ? -1 : 0;
	return i + 1;
}

void highlight_code(const char *lang, size_t lang_len, const char *code, size_t len,
		    struct buf *out)
{
	struct lexer lx = { 0 };
	size_t i = 0;

	lx.lang = find_lang(lang, lang_len);
	if (!lx.lang || len > HIGHLIGHT_MAX) {
		html_escape_text(out, code, len);
		return;
	}
	lx.s = code;
	lx.len = len;
	lx.out = out;
	lx.line_lead = true;
	if (lx.lang->flags & HL_DIFF) {
		lex_diff(&lx);
	} else {
		while (i < len) {
			char c = code[i];
			size_t next;

			if (c == '\n' || c == ' ' || c == '\t' || c == '\r' ||
			    (c == '-' && lx.line_lead && (lx.lang->flags & HL_LINE_KEYS))) {
				if (c == '\n')
					lx.line_lead = true;
				i++;
				continue;
			}
			next = lex_one(&lx, i);
			lx.line_lead = false;
			i = next;
		}
	}
	html_escape_text(out, code + lx.plain, len - lx.plain);
}
