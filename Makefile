# maxdash — plain Makefile with pkg-config.
#
#   make               build maxdash and maxdash-sandbox into $(BUILD)/
#   make deps          check (and on Debian as root, install) every build/test dependency
#   make check         build and run every test; SAN=1 builds and runs under ASan+UBSan
#   make demo          the dashboard on the bundled sandbox
#   make install       PREFIX=/usr/local DESTDIR=
#
# Everything generated goes under $(BUILD) (build/, or build-san/ with SAN=1), so a sanitizer
# build never mixes objects with a normal one and several trees can build side by side.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/maxdash
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/maxdash
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions

SAN        ?=
ifeq ($(SAN),1)
BUILD      ?= build-san
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD      ?= build
SANFLAGS   :=
endif

CC         ?= cc
PKG_CONFIG ?= pkg-config
OPT        ?= -O2 -g
WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror
CPPFLAGS   += -D_GNU_SOURCE -DMAXDASH_VERSION='"$(VERSION)"' -DMAXDASH_DATADIR='"$(DATADIR)"' \
              -DMAXDASH_DOCDIR='"$(DOCDIR)"' \
              -Isrc -Isrc/common
CFLAGS     ?=
ALL_CFLAGS  = -std=c11 $(OPT) $(WARN) $(SANFLAGS) $(CFLAGS)
LDFLAGS    += $(SANFLAGS)

pc_cflags   = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs     = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)
# libcsv (org lists from CSV files, issue 17): Debian's libcsv-dev ships no .pc file.
CSV_LIBS    := $(or $(shell $(PKG_CONFIG) --libs libcsv 2>/dev/null),-lcsv)

MAXDASH_PKGS := formw ncursesw libcurl jansson inih libmicrohttpd
SANDBOX_PKGS := libmicrohttpd jansson
TEST_PKGS    := check libcurl jansson

COMMON_SRCS  := $(wildcard src/common/*.c)
CORE_SRCS    := $(filter-out src/main.c,$(wildcard src/*.c))
SANDBOX_SRCS := $(filter-out src/sandbox/main.c,$(wildcard src/sandbox/*.c))
UNIT_SRCS    := $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRCS   := $(sort $(wildcard tests/integration/test_*.c))
SUPPORT_SRCS := $(wildcard tests/support/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

COMMON_OBJS  := $(call obj,$(COMMON_SRCS))
CORE_OBJS    := $(call obj,$(CORE_SRCS))
SANDBOX_OBJS := $(call obj,$(SANDBOX_SRCS))
UNIT_OBJS    := $(call obj,$(UNIT_SRCS))
INTEG_OBJS   := $(call obj,$(INTEG_SRCS))
SUPPORT_OBJS := $(call obj,$(SUPPORT_SRCS))

MAXDASH      := $(BUILD)/maxdash
SANDBOX      := $(BUILD)/maxdash-sandbox
UNIT_RUNNER  := $(BUILD)/tests/unit-tests
INTEG_RUNNER := $(BUILD)/tests/integration-tests

.PHONY: all deps check check-unit check-integration check-e2e check-docs check-install check-prometheus demo bench screenshot reliability install \
        uninstall clean distclean

PROGRAMS := $(SANDBOX) $(if $(wildcard src/main.c),$(MAXDASH))

all: $(PROGRAMS)

deps:
	@sh mk/deps.sh build test

# --- programs ---------------------------------------------------------------------------

$(MAXDASH): $(BUILD)/obj/src/main.o $(CORE_OBJS) $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(MAXDASH_PKGS)) $(CSV_LIBS) -lm

$(SANDBOX): $(BUILD)/obj/src/sandbox/main.o $(SANDBOX_OBJS) $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(SANDBOX_PKGS)) -lpthread -lm

$(BUILD)/obj/src/sandbox/%.o: src/sandbox/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(call pc_cflags,$(SANDBOX_PKGS)) -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/support $(ALL_CFLAGS) \
	    $(call pc_cflags,$(MAXDASH_PKGS) $(SANDBOX_PKGS) $(TEST_PKGS)) -MMD -MP -c -o $@ $<

# --- tests ------------------------------------------------------------------------------
# Each tests/*/test_NAME.c defines `Suite *NAME_suite(void)`; the runner's list of suites is
# generated from the file names, so adding a test file needs no edit anywhere else.

define suites_header
	@mkdir -p $(@D)
	@{ for f in $(1); do n=$$(basename $$f .c); n=$${n#test_}; echo "X($$n)"; done; } > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
endef

$(BUILD)/gen/unit/suites.def: FORCE
	$(call suites_header,$(UNIT_SRCS))
$(BUILD)/gen/integration/suites.def: FORCE
	$(call suites_header,$(INTEG_SRCS))

$(BUILD)/obj/unit-runner.o: tests/support/runner.c $(BUILD)/gen/unit/suites.def
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(BUILD)/gen/unit $(ALL_CFLAGS) $(call pc_cflags,check) -c -o $@ $<
$(BUILD)/obj/integration-runner.o: tests/support/runner.c $(BUILD)/gen/integration/suites.def
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(BUILD)/gen/integration $(ALL_CFLAGS) $(call pc_cflags,check) -c -o $@ $<

$(UNIT_RUNNER): $(BUILD)/obj/unit-runner.o $(UNIT_OBJS) $(filter-out %/runner.o,$(SUPPORT_OBJS)) \
                $(CORE_OBJS) $(SANDBOX_OBJS) $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ \
	    $(call pc_libs,$(MAXDASH_PKGS) $(SANDBOX_PKGS) $(TEST_PKGS)) $(CSV_LIBS) -lpthread -lm

$(INTEG_RUNNER): $(BUILD)/obj/integration-runner.o $(INTEG_OBJS) \
                 $(filter-out %/runner.o,$(SUPPORT_OBJS)) $(CORE_OBJS) $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(MAXDASH_PKGS) $(TEST_PKGS)) $(CSV_LIBS) -lpthread -lm

TEST_ENV = MAXDASH_BUILD=$(abspath $(BUILD)) MAXDASH_SRC=$(CURDIR) \
           ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/mk/lsan.supp:print_suppressions=0

check: deps
	@$(MAKE) --no-print-directory check-unit check-integration check-e2e check-docs check-install check-prometheus

check-unit: $(UNIT_RUNNER)
	$(TEST_ENV) $(UNIT_RUNNER)

check-integration: $(INTEG_RUNNER) $(PROGRAMS)
	$(TEST_ENV) $(INTEG_RUNNER)

# The end-to-end suite three times (issue 14): as users mostly run it (tmux-256color, C.UTF-8),
# in the C locale (maxdash then draws ASCII only; lib.sh's asc translates what the tests look
# for), and on a second terminal type (screen-256color).
# Three passes: the default terminal, LANG=C (text_ascii everywhere) and screen-256color. Under
# SAN=1 the third is left out: the sanitizers look at memory, which the terminal type hardly
# changes, and CI (both runs) must stay under 25 minutes; make check runs all three.
check-e2e: $(PROGRAMS)
	@if ls tests/e2e/test_*.sh >/dev/null 2>&1; then \
	    $(TEST_ENV) sh tests/e2e/run.sh && \
	    echo "e2e again with LANG=C:" && $(TEST_ENV) E2E_LANG=C sh tests/e2e/run.sh && \
	    if [ "$(SAN)" != 1 ]; then \
	        echo "e2e again with TERM=screen-256color:" && \
	        $(TEST_ENV) E2E_TERM_TYPE=screen-256color sh tests/e2e/run.sh; \
	    fi; \
	else echo "e2e: no tests yet"; fi

# Issue 19: the options of each --help, the man page and the README, and the keys of
# src/keys.def, the man page and the README, must agree; install and uninstall into temp dirs.
check-docs: $(PROGRAMS)
	@sh mk/check-docs.sh $(MAXDASH)
	@sh tests/docs/run.sh $(MAXDASH)

check-install: $(PROGRAMS)
	@$(TEST_ENV) SAN=$(SAN) sh tests/install/run.sh

# `maxdash serve` against a real Prometheus (issue 18): make deps installs it.
check-prometheus: $(PROGRAMS)
	$(TEST_ENV) sh tests/prometheus/run.sh

# --- demo, bench ------------------------------------------------------------------------

demo: deps
	@$(MAKE) --no-print-directory all
	@sh mk/demo.sh $(abspath $(BUILD))

screenshot: all
	@sh mk/deps.sh screenshot
	@sh assets/screenshot.sh $(abspath $(BUILD))

bench: deps
	@sh mk/deps.sh bench
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(abspath $(BUILD))

# --- reliability (issue 7) --------------------------------------------------------------
#   make reliability [SHORT=1]   tests/reliability/: R1 and R3-R7 against the real programs,
#                                with the dashboard of R1 and R7 from an ASan+UBSan build
SHORT      ?=
SAN_BUILD  := $(if $(filter 1,$(SAN)),$(BUILD),build-san)

reliability: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SAN=1 BUILD=$(SAN_BUILD) all
	@$(TEST_ENV) REL_SAN_BUILD=$(abspath $(SAN_BUILD)) REL_SHORT=$(if $(SHORT),1,0) \
	    sh tests/reliability/run.sh

# --- install ----------------------------------------------------------------------------

# Programs, the man page, the documents a first run needs (the example config, which the
# no-config message names, the README and the sandbox's docs, API contract and demo data under
# $(DOCDIR)), the sandbox's data where it looks for it, and shell completion (bash-completion's
# completions/ directory, loaded on demand; zsh's site-functions).
DOC_FILES     := config.example.ini README.md
SANDBOX_DOCS  := assets/sandbox/README.md assets/sandbox/maxcare-v1.md assets/sandbox/resources.md assets/sandbox/demo.json

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/sandbox $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(DOCDIR)/sandbox $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	install -m 0644 assets/sandbox/demo.json $(DESTDIR)$(DATADIR)/sandbox/demo.json
	install -m 0644 assets/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(SANDBOX_DOCS) $(DESTDIR)$(DOCDIR)/sandbox/
	install -m 0644 assets/completion/maxdash.bash $(DESTDIR)$(BASHCOMPDIR)/maxdash
	install -m 0644 assets/completion/_maxdash $(DESTDIR)$(ZSHCOMPDIR)/_maxdash
	install -d $(DESTDIR)$(DATADIR)/prometheus
	install -m 0644 assets/prometheus/maxdash.rules.yml $(DESTDIR)$(DATADIR)/prometheus/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/maxdash $(DESTDIR)$(BINDIR)/maxdash-sandbox
	rm -f $(DESTDIR)$(DATADIR)/sandbox/demo.json $(DESTDIR)$(DATADIR)/prometheus/maxdash.rules.yml
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard assets/*.1)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOC_FILES)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/sandbox/,$(notdir $(SANDBOX_DOCS)))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/maxdash $(DESTDIR)$(ZSHCOMPDIR)/_maxdash
	-rmdir $(DESTDIR)$(DATADIR)/sandbox $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/sandbox \
	    $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build build-san

distclean: clean

FORCE:
.PHONY: FORCE

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# --- fuzzing (issue 7, R2) ----------------------------------------------------------------
#   make fuzz [SECONDS=30]   build every tests/fuzz/fuzz_NAME.c with clang's libFuzzer, ASan and
#                            UBSan into build-fuzz/, run each for SECONDS seconds on a copy of
#                            tests/fuzz/corpus/NAME/, and fail when any of them finds a crash
# The sources a target needs are compiled into it with the same flags (no build/ objects).

SECONDS      ?= 30
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_CFLAGS  := -std=c11 -g -O1 $(WARN) -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_PKGS    := jansson inih
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_NAMES))
FUZZ_LIBSRCS := src/api.c src/restable.c src/text.c src/config.c src/fleet.c $(COMMON_SRCS)

.PHONY: fuzz fuzz-build fuzz-deps

fuzz-deps:
	@sh mk/deps.sh build fuzz

fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIBSRCS) $(wildcard src/*.h src/common/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(call pc_cflags,$(FUZZ_PKGS)) -o $@ \
	    $< $(FUZZ_LIBSRCS) $(call pc_libs,$(FUZZ_PKGS)) $(CSV_LIBS)

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@sh mk/fuzz.sh $(FUZZ_BUILD) $(SECONDS) $(FUZZ_NAMES)
