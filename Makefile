# carecast -- plain Makefile.
#
#   make run      build, install missing Debian packages, run the demo end to end
#   make test     build and run every test
#   make bench    speed and memory figures (demo and national scale)
#   make SANITIZER=address,undefined test    the same tests under ASan/UBSan
#
# Objects go to build/ (build/san-NAME/ for a sanitizer build); header dependencies are
# tracked with -MMD. The program is ./carecast (a link to build/carecast).

CC        ?= gcc
STD        = -std=c11 -D_GNU_SOURCE
WARN       = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wpointer-arith -Wformat=2 -Wno-format-truncation
OPT       ?= -O2
DEBUG     ?= -g
PKGS       = hdf5 gsl cmocka inih
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ifeq ($(SANITIZER),)
BUILD      = build
SAN_FLAGS  =
else
SAN_NAME   = $(subst $(comma),-,$(SANITIZER))
BUILD      = build/san-$(SAN_NAME)
SAN_FLAGS  = -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
comma := ,

FINAL_CFLAGS  = $(STD) $(WARN) $(OPT) $(DEBUG) -fopenmp $(SAN_FLAGS) -I$(BUILD) -Iengine \
                $(PKG_CFLAGS) $(CFLAGS)
FINAL_LDFLAGS = -fopenmp $(SAN_FLAGS) $(LDFLAGS)
FINAL_LIBS    = $(PKG_LIBS) -lcsv -lm

ENGINE_SRC = $(filter-out engine/main.c,$(wildcard engine/*.c))
ENGINE_OBJ = $(patsubst engine/%.c,$(BUILD)/engine/%.o,$(ENGINE_SRC))
LIB        = $(BUILD)/libcarecast.a
BIN        = $(BUILD)/carecast
TEST_SRC   = $(wildcard tests/test_*.c)
TEST_BIN   = $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
SUPPORT_SRC = $(wildcard tests/support/*.c)
SUPPORT_OBJ = $(patsubst tests/support/%.c,$(BUILD)/tests/support/%.o,\
                $(filter-out tests/support/test_%.c,$(SUPPORT_SRC)))
SUPPORT_TEST = $(BUILD)/tests/support/test_markov_exact

DEBIAN_PACKAGES = gcc make pkg-config libgsl-dev libhdf5-dev hdf5-tools gnuplot-nox \
                  libcmocka-dev libinih-dev librandom123-dev libcsv-dev

VERSION = 0.1.0
REVISION := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
              test -n "$$(git status --porcelain -- engine models plots 2>/dev/null)" && echo -dirty)

.PHONY: all deps run test bench clean demo
.DEFAULT_GOAL := all

all: deps carecast

# --- Debian packages --------------------------------------------------------------------
# Installs what is missing when run as root; otherwise prints the exact command.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "carecast needs these Debian packages:$$missing"; \
	    echo "install them with:  sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# --- build ------------------------------------------------------------------------------
$(BUILD)/version.h: FORCE
	@mkdir -p $(BUILD)
	@printf '#define CARECAST_VERSION "%s"\n#define CARECAST_REVISION "%s"\n' \
	  "$(VERSION)" "$(REVISION)" > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
FORCE:

$(BUILD)/engine/%.o: engine/%.c | $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(CC) $(FINAL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(CC) $(FINAL_CFLAGS) -Itests -MMD -MP -c $< -o $@

$(LIB): $(ENGINE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/engine/main.o $(LIB)
	$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

carecast: $(BIN)
ifeq ($(SANITIZER),)
	@ln -sf $(BIN) carecast
endif

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(SUPPORT_OBJ) $(LIB)
	$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(SUPPORT_TEST): $(BUILD)/tests/support/test_markov_exact.o $(SUPPORT_OBJ) $(LIB)
	$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- tests ------------------------------------------------------------------------------
# Every test program runs; the last line counts programs passed and failed.
test: deps $(BIN) $(TEST_BIN) $(SUPPORT_TEST) carecast
	@CARECAST_BIN=$(abspath $(BIN)) CARECAST_HOME=$(CURDIR) BUILD=$(BUILD) \
	  sh tests/run_all.sh $(SUPPORT_TEST) $(TEST_BIN)

# --- demo -------------------------------------------------------------------------------
DEMO = demo
run: deps carecast
	@sh scenarios/demo.sh $(DEMO)

bench: deps carecast
	@sh tests/bench.sh

clean:
	rm -rf build carecast
