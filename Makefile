# LearningAnalytics: build, test, demo, benchmarks, docs.
# Every target installs the Debian packages it needs when they are missing (sudo only when
# not root), so a fresh machine with the Swift toolchain needs nothing else.
SHELL := /bin/bash
.DEFAULT_GOAL := test

APT_PACKAGES := libopenblas-dev liblapacke-dev libnlopt-dev libsimdjson-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift
# Tests and the demo run BLAS single-threaded (see README, "Threading").
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: deps build test demo bench bench-ci bench-compare bench-ingest bench-growth fuzz fuzz-ci fuzz-activity lint docs clean

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) test
	Benchmarks/kernels/same-bits.sh

DEMO := demo-output

# The whole analysis on the bundled data: the demo programme (5 hubs, 75 schools, 600
# teachers, 4 waves, the teachers' xAPI activity log) is simulated from a fixed seed,
# validated, then analysed by `lae analyze` (scores, reliability, activity indicators,
# mentoring, programme and school reports) into $(DEMO)/, with the programme report at
# $(DEMO)/report.html. Activity actors are pseudonymised under a secret key made once per
# clone in $(DEMO)/pseudonym.key (32 random bytes, never committed), as a programme would.
demo: deps
	$(SWIFT) build -c release --product lae
	.build/release/lae doctor
	.build/release/lae simulate --schools 75 --hubs 5 --teachers 8 --waves 4 --seed 2024 --out $(DEMO)
	.build/release/lae validate --instrument $(DEMO)/instrument.json --responses $(DEMO)/responses.csv --roster $(DEMO)/roster.csv --logs $(DEMO)/activity.jsonl
	.build/release/lae reliability --instrument $(DEMO)/instrument.json --responses $(DEMO)/responses.csv
	test -s $(DEMO)/pseudonym.key || (umask 077 && head -c 32 /dev/urandom > $(DEMO)/pseudonym.key)
	.build/release/lae analyze --instrument $(DEMO)/instrument.json --responses $(DEMO)/responses.csv --roster $(DEMO)/roster.csv --logs $(DEMO)/activity.jsonl --pseudonym-key-file $(DEMO)/pseudonym.key --config Fixtures/demo-config.json --out $(DEMO)

# Full benchmark run (release, several minutes; first build about 4 minutes).
bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark --no-progress
	cd Benchmarks && $(SWIFT) run -c release compare-raw

# CI: every benchmark a few times, gated on exact allocation counts against
# Benchmarks/Thresholds; wall-clock is printed, never gated.
bench-ci: deps
	cd Benchmarks && ./bench-ci.sh

# Library vs raw C calls, interleaved in one process: the overhead table.
bench-compare: deps
	cd Benchmarks && $(SWIFT) run -c release compare-raw

# Growth models vs lme4 on simulated panels (needs: apt-get install r-cran-lme4). lae is
# built with the Swift runtime linked statically, as a position-dependent executable (no
# run-time relocation of its 100,000 pointers): its start-up is about 30 ms shorter, which
# matters at 1,000 schools.
bench-growth: deps
	$(SWIFT) build -c release --static-swift-stdlib -Xlinker -no-pie --product lae \
	  --scratch-path .build-static
	LAE=.build-static/release/lae Benchmarks/peers/growth-vs-lme4.sh

# Ingest vs pandas.read_csv on the same simulated file (needs: pip install pandas).
bench-ingest: deps
	Benchmarks/peers/ingest-vs-pandas.sh

# libFuzzer over the whole read-and-validate path of survey ingest (Tests/Fuzz).
FUZZ_SECONDS ?= 600
FUZZER := .build/fuzz/ingest-fuzzer
# Ingest's one use of MatrixCore, parallelMap, is compiled into the fuzz target beside it.
FUZZ_SHARED := Sources/MatrixCore/ParallelMap.swift
$(FUZZER): Tests/Fuzz/IngestFuzzer.swift $(wildcard Sources/Ingest/*.swift) $(FUZZ_SHARED)
	mkdir -p .build/fuzz
	swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name Ingest \
	  -package-name LearningAnalytics Sources/Ingest/*.swift $(FUZZ_SHARED) \
	  Tests/Fuzz/IngestFuzzer.swift -o $@ 2>&1 | grep -v "Cannot export local symbol" || true
	test -x $@

fuzz: $(FUZZER)
	mkdir -p .build/fuzz/corpus && cp Tests/Fuzz/corpus/* .build/fuzz/corpus/
	$(FUZZER) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 .build/fuzz/corpus

# libFuzzer over the full read-and-validate path of xAPI statements (simdjson, rules, voiding,
# table, indicators). swift-crypto is swapped for Tests/Fuzz/PseudonymizerStub.swift.
ACTIVITY_FUZZER := .build/fuzz/activity-fuzzer
ACTIVITY_SOURCES := $(filter-out Sources/Activity/Pseudonymizer.swift,$(wildcard Sources/Activity/*.swift))
$(ACTIVITY_FUZZER): Tests/Fuzz/ActivityFuzzer.swift Tests/Fuzz/PseudonymizerStub.swift $(ACTIVITY_SOURCES) $(wildcard Sources/Ingest/*.swift) $(FUZZ_SHARED) Sources/_CXAPI/cxapi.cpp
	mkdir -p .build/fuzz/cxapi
	printf 'module _CXAPI {\n  header "%s/Sources/_CXAPI/include/cxapi.h"\n  export *\n}\n' "$(CURDIR)" > .build/fuzz/cxapi/module.modulemap
	clang++ -std=c++17 -O1 -g -fsanitize=fuzzer-no-link,address -ISources/_CXAPI/include \
	  -c Sources/_CXAPI/cxapi.cpp -o .build/fuzz/cxapi.o
	swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name Ingest -I .build/fuzz/cxapi \
	  -package-name LearningAnalytics \
	  Sources/Ingest/*.swift $(FUZZ_SHARED) $(ACTIVITY_SOURCES) Tests/Fuzz/PseudonymizerStub.swift Tests/Fuzz/ActivityFuzzer.swift \
	  .build/fuzz/cxapi.o -lsimdjson -lstdc++ -o $@ 2>&1 | grep -v "Cannot export local symbol\|ignoring import\|part of module" || true
	test -x $@

fuzz-activity: $(ACTIVITY_FUZZER)
	mkdir -p .build/fuzz/xapi-corpus && cp Tests/Fuzz/xapi-corpus/* .build/fuzz/xapi-corpus/
	$(ACTIVITY_FUZZER) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 .build/fuzz/xapi-corpus

# CI: a short fuzz run (30 s).
fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=30

lint:
	$(SWIFT) format lint --recursive Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Sources Benchmarks/Benchmarks

docs: deps
	$(SWIFT) package --allow-writing-to-directory .docs generate-documentation \
	  --enable-experimental-combined-documentation \
	  --target MatrixCore --target Optimization --target Ingest --target Simulation --target Scoring --target Reporting \
	  --target Mentoring --target Report --target MixedModels --target Clustering --target Activity --output-path .docs

clean:
	rm -rf .build Benchmarks/.build .docs $(DEMO)
