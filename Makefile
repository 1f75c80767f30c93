# fangfei — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
EMULATOR_PORT ?= 5001
export FLASK_APP := app
# `make run` points the app at the local emulator (override both to use another WeChat API).
FANGFEI_WECHAT_API_BASE ?= http://127.0.0.1:$(EMULATOR_PORT)/
FANGFEI_WECHAT_OPEN_BASE ?= http://127.0.0.1:$(EMULATOR_PORT)/

.PHONY: run test browser audit venv deps dev-deps migrate seed lint format migration bench bench-quick clean \
	bench-leaderboard bench-leaderboard-quick bench-load bench-load-quick bench-admin bench-admin-quick wrk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip==25.3

$(VENV)/.deps: requirements.txt constraints.txt $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt $(VENV)/.deps
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV)/.deps

migrate: $(VENV)/.deps
	mkdir -p instance
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed demo

run: seed
	@echo ""
	@echo "fangfei dev server:   http://127.0.0.1:$(PORT)/wechat"
	@echo "  WeChat Token:          $${FANGFEI_WECHAT_TOKEN:-fangfei-dev-token}"
	@echo "  AppID:                 $${FANGFEI_WECHAT_APP_ID:-wx0123456789abcdef}"
	@echo "  EncodingAESKey:        $${FANGFEI_WECHAT_AES_KEY:-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG}"
	@echo "  Message mode:          $${FANGFEI_WECHAT_MSG_MODE:-compatible}"
	@echo "  WeChat API emulator:   http://127.0.0.1:$(EMULATOR_PORT)/"
	@echo "  Talk to it:            $(BIN)/flask chat --url http://127.0.0.1:$(PORT)"
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	  export FANGFEI_WECHAT_API_BASE=$(FANGFEI_WECHAT_API_BASE) FANGFEI_WECHAT_OPEN_BASE=$(FANGFEI_WECHAT_OPEN_BASE); \
	  $(BIN)/flask wechat emulator --port $(EMULATOR_PORT) & \
	  $(BIN)/flask scheduler run & \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT) --no-reload

# Browser tests drive Debian's Chromium (never a downloaded browser); install it when it is missing.
browser:
	@test -x /usr/bin/chromium || { echo "installing Debian chromium + chromium-driver for the browser tests"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -q chromium chromium-driver >/dev/null; }
	@test -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || { echo "installing a Chinese font for H5 screenshots"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -q fonts-wqy-microhei >/dev/null; }

test: $(VENV)/.dev-deps browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Dependency vulnerabilities (pip-audit; see .ci/audit.py for what runs when PyPI's per-release API is blocked).
audit: $(VENV)/.dev-deps
	$(BIN)/python .ci/audit.py

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks (real PostgreSQL and Redis; figures go to bench/RESULTS.md). Not part of `make test`.
bench: bench-leaderboard bench-load

bench-quick: bench-leaderboard-quick bench-load-quick

bench-leaderboard: $(VENV)/.dev-deps
	$(BIN)/python -m bench.leaderboard_bench --users 1000000 --papers 10000000

bench-leaderboard-quick: $(VENV)/.dev-deps
	$(BIN)/python -m bench.leaderboard_bench --quick --reads 5000 --updates 2000 --lua-sizes 10000,100000

# The load benchmark drives Debian's wrk; install it when it is missing (like `browser` installs Chromium).
wrk:
	@command -v wrk >/dev/null || { echo "installing Debian wrk for the load benchmark"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get install -y -q wrk >/dev/null \
	  || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q wrk >/dev/null; }; }

# Load (issue 9): fangfei under gunicorn vs the bare Flask + wechatpy floor vs a naive baseline, driven by wrk.
bench-load: $(VENV)/.dev-deps wrk
	$(BIN)/python -m bench.load_bench

bench-load-quick: $(VENV)/.dev-deps wrk
	$(BIN)/python -m bench.load_bench --quick

# Staff dashboard pages at 1M residents + 10k tips (issue 7 point 8): every /admin page under 300 ms.
bench-admin: $(VENV)/.dev-deps
	$(BIN)/python -m bench.admin_bench --users 1000000 --papers 4000000 --tips 10000 --runs 10

bench-admin-quick: $(VENV)/.dev-deps
	$(BIN)/python -m bench.admin_bench --quick

# Pre-release: the schema is one initial migration, regenerated from the models.
migration: $(VENV)/.deps
	rm -f app/migrations/versions/0001_initial.py /tmp/fangfei-migration.db
	FANGFEI_DATABASE_URL=sqlite:////tmp/fangfei-migration.db $(BIN)/flask db migrate --rev-id 0001 -m initial
	mv app/migrations/versions/0001_initial.py app/migrations/versions/0001_initial.py 2>/dev/null || true
	$(BIN)/ruff format app/migrations/versions

clean:
	rm -rf $(VENV) instance .pytest_cache
